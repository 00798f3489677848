import Foundation

/// A file of `KEY=VALUE` lines holding secret values for the daemon, as an alternative to its
/// environment. It is refused unless only its owner can access it (mode 0600 or 0400), the same
/// rule ssh applies to private keys: a secret readable by others is already leaked.
///
/// Format: one `KEY=VALUE` per line; `KEY` is letters, digits and `_`; the value is everything
/// after the first `=`, verbatim, except that one pair of surrounding double or single quotes is
/// removed. Blank lines and lines starting with `#` are ignored; `export KEY=VALUE` is accepted.
public struct SecretsFile: Sendable, CustomStringConvertible, CustomReflectable {
    public let path: String
    private let values: [String: String]

    /// Reads and parses the file after checking its permissions on the open descriptor.
    /// - Throws: `ConfigError` `.insecureSecretsFile` if group or others have any access or it is not
    ///   a regular file; `.invalidSecretsFile` if it cannot be read or a line is malformed (the
    ///   message gives the line number, never the line).
    public static func load(path: String) throws -> SecretsFile {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ConfigError(.invalidSecretsFile, "cannot open secrets file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ConfigError(.invalidSecretsFile, "cannot inspect secrets file \(path): \(String(cString: strerror(errno)))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw ConfigError(.insecureSecretsFile, "secrets file \(path) is not a regular file; expected a file with mode 0600")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ConfigError(
                .insecureSecretsFile,
                "refusing secrets file \(path): it is readable or writable by group or others "
                    + "(mode \(String(mode, radix: 8).leftPadded(to: 4))); expected mode 0600 or 0400 (chmod 600 \(path))"
            )
        }
        let data = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false).readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(.invalidSecretsFile, "secrets file \(path) is not UTF-8 text")
        }
        return try SecretsFile(path: path, text: text)
    }

    /// Parses secrets-file text (the permission check is `load`'s).
    public init(path: String, text: String) throws {
        self.path = path
        var values: [String: String] = [:]
        var problems: [String] = []
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop { $0 == " " } }
            guard let equals = line.firstIndex(of: "="),
                case let key = String(line[..<equals]).trimmingCharacters(in: .whitespaces),
                StringFormat.variableName.matches(key)
            else {
                problems.append("line \(index + 1): expected KEY=VALUE with KEY of letters, digits and '_'")
                continue
            }
            guard values[key] == nil else {
                problems.append("line \(index + 1): \(key) is set twice; expected each key once")
                continue
            }
            values[key] = Self.unquote(line[line.index(after: equals)...])
        }
        guard problems.isEmpty else {
            throw ConfigError(.invalidSecretsFile, "secrets file \(path) is malformed: " + problems.joined(separator: "; "))
        }
        self.values = values
    }

    /// The names the file defines (never the values).
    public var names: [String] { values.keys.sorted() }

    func value(for name: String) -> String? { values[name] }

    public var description: String { "SecretsFile(\(path), \(values.count) entries)" }
    public var customMirror: Mirror { Mirror(self, children: ["path": path], displayStyle: .struct) }

    private static func unquote(_ value: Substring) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return String(value)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
