import Logging

/// Turns swift-log metadata into flat, dotted, sorted fields: `["rollout": ["id": "r-7"]]` becomes
/// `rollout.id=r-7`, so every log line can be filtered on the same keys whatever the nesting.
enum MetadataFlattening {
    enum Value: Equatable {
        case string(String)
        case list([String])
    }

    /// What replaces the value of a credential-looking key.
    static let redacted = "<redacted>"

    static func flatten(_ metadata: Logger.Metadata) -> [(key: String, value: Value)] {
        var fields: [(key: String, value: Value)] = []
        for (key, value) in metadata {
            append(key: key, value: value, into: &fields)
        }
        return fields.sorted { $0.key < $1.key }
    }

    private static func append(key: String, value: Logger.MetadataValue, into fields: inout [(key: String, value: Value)]) {
        if isSensitive(key) {
            fields.append((key, .string(redacted)))
            return
        }
        switch value {
        case .string(let text):
            fields.append((key, .string(text)))
        case .stringConvertible(let convertible):
            fields.append((key, .string(convertible.description)))
        case .dictionary(let dictionary):
            for (inner, innerValue) in dictionary {
                append(key: key + "." + inner, value: innerValue, into: &fields)
            }
        case .array(let items):
            fields.append((key, .list(items.map(text))))
        }
    }

    /// An array element as one string; nested dictionaries become `k=v` pairs.
    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(text).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            dictionary.sorted { $0.key < $1.key }
                .map { isSensitive($0.key) ? "\($0.key)=\(redacted)" : "\($0.key)=\(text($0.value))" }
                .joined(separator: " ")
        }
    }

    /// Whether a key's last dotted component names a credential. Deliberately small: the code base
    /// keeps secrets out of metadata; this only catches a slip.
    static func isSensitive(_ key: String) -> Bool {
        let last = (key.split(separator: ".").last.map(String.init) ?? key).lowercased()
        return [
            "token", "secret", "password", "passwd", "authorization", "cookie", "apikey", "api_key", "api-key", "credential", "credentials",
            "privatekey", "private_key",
        ]
        .contains { last.contains($0) }
    }
}
