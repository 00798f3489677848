public import Logging
public import ServiceLifecycle
import UnixSignals

/// Re-reads the operator token file on SIGHUP, so issuing or revoking a token takes effect
/// without a restart (a restart would interrupt a rollout's waits). A file that fails to load
/// leaves the loaded tokens in place and is logged as an error.
public struct OperatorTokenReloader: Service, CustomStringConvertible {
    let credentials: OperatorCredentials
    let logger: Logger

    public init(credentials: OperatorCredentials, logger: Logger) {
        self.credentials = credentials
        self.logger = logger
    }

    public var description: String { "OperatorTokenReloader" }

    public func run() async throws {
        // A service that returns early stops its group: without a file there is nothing to do
        // but wait for the shutdown.
        guard let path = credentials.tokenFilePath else { return try await gracefulShutdown() }
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            reload(path: path)
        }
    }

    func reload(path: String) {
        do {
            let count = try credentials.reload()
            logger.notice("Reloaded the operator token file", metadata: ["tokens.file": "\(path)", "tokens.active": "\(count)"])
        } catch {
            logger.error(
                "The operator token file did not load; the tokens loaded before stay in effect",
                metadata: ["tokens.file": "\(path)", "error": "\(error)"])
        }
    }
}
