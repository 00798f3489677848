import Foundation
import Synchronization

/// The tokens the daemon accepts right now: the shared `RECONCILER_TOKEN` (an admin token, when
/// set) and the named tokens of the token file, which `reload()` re-reads (on SIGHUP).
///
/// A reload that fails keeps the tokens that were loaded: a typo in the file must not lock every
/// operator out of a running daemon (nor let a revoked token back in: revocation only removes).
public final class OperatorCredentials: Sendable {
    public let sharedToken: String?
    public let tokenFilePath: String?
    private let named: Mutex<OperatorTokenFile>

    /// Loads the token file when one is configured.
    /// - Throws: `OperatorTokenFile.Problem` when it is missing or invalid (the daemon refuses to start).
    public convenience init(sharedToken: String?, tokenFilePath: String?) throws {
        let path = tokenFilePath.flatMap { $0.isEmpty ? nil : $0 }
        self.init(sharedToken: sharedToken, tokenFilePath: path, file: try path.map { try OperatorTokenFile.load(path: $0) } ?? OperatorTokenFile())
    }

    /// Credentials of the shared token alone (tests, the demo).
    public convenience init(sharedToken: String?) {
        self.init(sharedToken: sharedToken, tokenFilePath: nil, file: OperatorTokenFile())
    }

    private init(sharedToken: String?, tokenFilePath: String?, file: OperatorTokenFile) {
        self.sharedToken = sharedToken.flatMap { $0.isEmpty ? nil : $0 }
        self.tokenFilePath = tokenFilePath
        named = Mutex(file)
    }

    /// Whether any token is configured: without one, actions are off and every read is public.
    public var isConfigured: Bool {
        sharedToken != nil || named.withLock { !$0.tokens.isEmpty }
    }

    /// How many named tokens are usable (not revoked).
    public var activeNamedTokens: Int {
        named.withLock { $0.tokens.count { !$0.isRevoked } }
    }

    /// Re-reads the token file. - Returns: the number of usable named tokens after the reload.
    @discardableResult
    public func reload() throws -> Int {
        guard let path = tokenFilePath else { return 0 }
        let file = try OperatorTokenFile.load(path: path)
        named.withLock { $0 = file }
        return file.tokens.count { !$0.isRevoked }
    }

    /// What a presented token proves.
    public enum Verdict: Sendable, Equatable {
        case caller(OperatorCaller)
        case revoked(name: String, at: String)
        case unknown
    }

    public func verify(_ presented: String) -> Verdict {
        if let sharedToken, ConstantTime.equal(presented, sharedToken) {
            return .caller(OperatorCaller(name: "shared-token", role: .admin, source: .sharedToken))
        }
        guard let entry = named.withLock({ $0.entry(for: presented) }) else { return .unknown }
        if let revokedAt = entry.revokedAt { return .revoked(name: entry.name, at: revokedAt) }
        return .caller(OperatorCaller(name: entry.name, role: entry.role, source: .namedToken))
    }
}
