import ArgumentParser
import Foundation
import HTTPTransport
import ReconcilerClient

/// What every client command shares: where the daemon is and how long to wait. The operator
/// token comes from `RECONCILER_TOKEN` only (never an option, so it stays out of shell history
/// and `ps`).
struct ClientOptions: ParsableArguments {
    @Option(help: "The daemon's base URL; $RECONCILER_SERVER changes the default.")
    var server: String = ProcessInfo.processInfo.environment["RECONCILER_SERVER"] ?? "http://127.0.0.1:8080"

    @Option(help: "Seconds to wait for the daemon's answer.")
    var timeout: Double = 15

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
            throw ValidationError("--server must be an http:// or https:// URL, e.g. http://127.0.0.1:8080")
        }
    }

    /// Runs `body` with a client; a refusal or an unreachable daemon is printed on standard error
    /// as `reconciler: …` and ends the process with the documented exit status.
    /// - Parameter actor: the label recorded with the shared token (`--by`); nil on reads.
    func withClient<T>(actor: String? = nil, _ body: (OperatorClient) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let runtime = try CurlRuntime()
        let http = HTTPClient(runtime: runtime, configuration: .init(concurrency: 1, userAgent: "reconciler-cli"))
        let client = OperatorClient(
            server: server, token: environment["RECONCILER_TOKEN"], actor: actor, http: http,
            timeout: .milliseconds(Int64(timeout * 1000)))
        do {
            return try await body(client)
        } catch let error as OperatorClientError {
            let prefix: String =
                switch error.kind {
                case .refused(let status, let code): "refused (\(status) \(code)): "
                case .unreachable, .unexpectedAnswer: ""
                }
            printError("reconciler: \(prefix)\(error.message)")
            throw ExitCode(error.exitCode)
        }
    }
}

/// What the action commands (pin, unpin, rollback, retry, reconcile, cleanup-preview) add: the
/// token they cannot work without, and the label the shared token records.
struct ActionOptions: ParsableArguments {
    @OptionGroup var client: ClientOptions

    @Option(help: "Who is acting, recorded in history with the shared RECONCILER_TOKEN (default: $USER); a named token records its own name.")
    var by: String?

    /// Like `ClientOptions.withClient`, after checking locally that a token is set: without one
    /// the daemon can only refuse, so it is a usage error (exit 2) found before any request.
    func withClient<T>(_ body: (OperatorClient) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        guard let token = environment["RECONCILER_TOKEN"], !token.isEmpty else {
            printError(
                "reconciler: RECONCILER_TOKEN is not set; this command needs an operator token (`reconciler token issue`, or the daemon's shared token)"
            )
            throw ExitCode(CLIExitCode.usage)
        }
        return try await client.withClient(actor: by ?? environment["USER"] ?? "cli", body)
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Writes text to standard output as is (the renderers end their output with a newline).
func printText(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
