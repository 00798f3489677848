/// HTTP header fields in order, possibly repeated, looked up case-insensitively.
///
/// `description` masks the values of credential-bearing fields, so that printing a request's or a
/// response's headers never leaks a token.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible,
    CustomReflectable
{
    public struct Field: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { Field(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Appends a field, keeping any others of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Removes every field called `name`, then appends one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        fields.removeAll { Self.equal($0.name, name) }
    }

    /// All values of `name`, in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.equal($0.name, name) }.map(\.value)
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        fields.first { Self.equal($0.name, name) }?.value
    }

    public func contains(_ name: String) -> Bool {
        fields.contains { Self.equal($0.name, name) }
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    public var description: String {
        "[" + fields.map { "\($0.name): \(Self.isSensitive($0.name) ? "<redacted>" : $0.value)" }.joined(separator: ", ") + "]"
    }

    /// The fields with credentials masked, as in `description`, for `dump` and test output.
    public var customMirror: Mirror {
        Mirror(
            self, unlabeledChildren: fields.map { "\($0.name): \(Self.isSensitive($0.name) ? "<redacted>" : $0.value)" }, displayStyle: .collection)
    }

    /// Field names whose values are credentials.
    static func isSensitive(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return ["authorization", "proxy-authorization", "cookie", "set-cookie"].contains(lowered)
            || lowered.contains("token") || lowered.contains("secret") || lowered.contains("api-key") || lowered.contains("apikey")
    }

    private static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }
}
