import Foundation

/// Where secret values come from at deploy time: the process environment first (so an operator
/// can override one value without editing the file), then the secrets file. An empty value
/// counts as unset, because an empty password or URL is never what was meant.
public struct SecretStore: Sendable, CustomStringConvertible, CustomReflectable {
    private let environment: [String: String]
    private let file: SecretsFile?

    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - file: an optional secrets file, already permission-checked by `SecretsFile.load`.
    public init(environment: [String: String], file: SecretsFile? = nil) {
        self.environment = environment
        self.file = file
    }

    /// The daemon's own environment, plus the secrets file at `secretsFilePath` if given.
    public static func process(secretsFilePath: String? = nil) throws -> SecretStore {
        SecretStore(
            environment: ProcessInfo.processInfo.environment,
            file: try secretsFilePath.map { try SecretsFile.load(path: $0) }
        )
    }

    /// The value of `name`, or nil if neither source has a non-empty one.
    public func value(for name: String) -> SecretValue? {
        if let value = environment[name], !value.isEmpty { return SecretValue(name: name, value: value) }
        if let value = file?.value(for: name), !value.isEmpty { return SecretValue(name: name, value: value) }
        return nil
    }

    public var description: String {
        "SecretStore(environment, \(file.map { "file \($0.path)" } ?? "no file"))"
    }

    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
