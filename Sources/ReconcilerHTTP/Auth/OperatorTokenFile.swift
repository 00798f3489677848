import ClipnetConfig
import ClipnetFormats
import Crypto
public import Foundation

/// The named operator tokens a daemon accepts: a JSON file of names, roles and SHA-256 digests of
/// the tokens (never the tokens), written by `reconciler token issue|revoke` and read by the
/// daemon at start and on SIGHUP.
///
/// Why a plain digest and not a password hash: the tokens are 256 random bits, so nobody can
/// guess one from its digest; a slow hash only protects low-entropy secrets.
public struct OperatorTokenFile: Sendable, Equatable, Codable {
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var role: OperatorRole
        /// Lower-case hex SHA-256 of the token's UTF-8 bytes.
        public var sha256: String
        public var issuedAt: String
        /// Set by `revoke`: the entry stays, so `token list` shows who had access and until when.
        public var revokedAt: String?

        public var isRevoked: Bool { revokedAt != nil }
    }

    public var tokens: [Entry]

    public init(tokens: [Entry] = []) {
        self.tokens = tokens
    }

    /// What a token looks like: a fixed prefix (secret scanners and people recognise it) and 43
    /// characters of base64url (256 random bits).
    public static let tokenPrefix = "rcn_"

    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// A token name: what history and metrics show, so short and plain.
    public static func validateName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy { byte in
            (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D || byte == 0x2E || byte == 0x5F
        }
        guard !name.isEmpty, name.utf8.count <= 64, allowed, name.first != "-" else {
            throw Problem("token name '\(name)' must be 1 to 64 characters of a-z, 0-9, '.', '_' or '-' (not starting with '-')")
        }
    }

    // MARK: - Reading and writing

    /// Reads `path`. A missing file is an empty list only when `missingIsEmpty` (the CLI's first
    /// `issue`); the daemon treats it as an error, since a configured file that is not there is a
    /// mistake that would lock everybody out.
    public static func load(path: String, missingIsEmpty: Bool = false) throws -> OperatorTokenFile {
        guard FileManager.default.fileExists(atPath: path) else {
            if missingIsEmpty { return OperatorTokenFile() }
            throw Problem("the operator token file \(path) does not exist; create it with `reconciler token issue NAME --role ROLE --file \(path)`")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Problem("cannot read the operator token file \(path): \(error.localizedDescription)")
        }
        let file: OperatorTokenFile
        do {
            file = try JSONDecoder().decode(OperatorTokenFile.self, from: data)
        } catch {
            throw Problem("the operator token file \(path) is not valid: \(Self.describe(error))")
        }
        var seen = Set<String>()
        for (index, entry) in file.tokens.enumerated() {
            do {
                try validateName(entry.name)
            } catch let problem as Problem {
                throw Problem("\(path): tokens[\(index)]: \(problem.description)")
            }
            guard entry.sha256.utf8.count == 64, entry.sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw Problem("\(path): tokens[\(index)] (\(entry.name)): sha256 must be 64 lower-case hex digits")
            }
            guard seen.insert(entry.name).inserted else {
                throw Problem("\(path): the name '\(entry.name)' appears twice")
            }
        }
        return file
    }

    /// Writes the file atomically (a temporary file renamed over it), readable by its owner only.
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self) + Data("\n".utf8)
        do {
            try PrivateFileWriter.write(data, to: path, mode: 0o600)
        } catch let failure as PrivateFileWriter.Failure {
            throw Problem(failure.description)
        }
    }

    // MARK: - Changes

    /// Adds a token for `name` and returns it: the only time the token exists outside the caller's
    /// hands. A revoked name may be issued again (the revoked entry is replaced).
    public mutating func issue(name: String, role: OperatorRole, now: Date = Date()) throws -> String {
        try Self.validateName(name)
        if let existing = tokens.first(where: { $0.name == name }), !existing.isRevoked {
            throw Problem("a token named '\(name)' exists (role \(existing.role.rawValue)); revoke it first, or choose another name")
        }
        let key = SymmetricKey(size: .bits256)
        let token = Self.tokenPrefix + key.withUnsafeBytes { Self.base64URL(Array($0)) }
        tokens.removeAll { $0.name == name }
        tokens.append(Entry(name: name, role: role, sha256: Self.digest(token), issuedAt: RFC3339.string(from: now), revokedAt: nil))
        return token
    }

    /// Marks `name`'s token revoked; the daemon refuses it once it has reloaded the file.
    public mutating func revoke(name: String, now: Date = Date()) throws {
        guard let index = tokens.firstIndex(where: { $0.name == name }) else {
            let names = tokens.map(\.name).joined(separator: ", ")
            throw Problem("no token named '\(name)'\(names.isEmpty ? "" : "; tokens: \(names)")")
        }
        guard tokens[index].revokedAt == nil else { throw Problem("the token '\(name)' is already revoked") }
        tokens[index].revokedAt = RFC3339.string(from: now)
    }

    /// The entry whose digest is the presented token's, compared in constant time against every entry.
    public func entry(for presented: String) -> Entry? {
        let digest = Array(Self.digest(presented).utf8)
        var found: Entry?
        for entry in tokens where ConstantTime.equalBytes(Array(entry.sha256.utf8), digest) {
            found = entry
        }
        return found
    }

    static func digest(_ token: String) -> String {
        Hex.lowercase(Array(SHA256.hash(data: Array(token.utf8))))
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): "\(context.debugDescription) at \(path(context.codingPath))"
        case DecodingError.keyNotFound(let key, let context): "missing '\(key.stringValue)' at \(path(context.codingPath))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "\(context.debugDescription) at \(path(context.codingPath))"
        default: "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
