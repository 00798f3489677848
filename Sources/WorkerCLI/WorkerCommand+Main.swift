import ArgumentParser
import CommandLineSupport
import Foundation

/// The worker's exit statuses, the reconciler's rule (docs/operations.md): 2 for anything the
/// operator fixes by changing the command line or the configuration, found before connecting to
/// anything; 1 for what fails or is refused once running (Redis, PostgreSQL or Cloudinary not as
/// needed at start, an unknown dead job id, a purge not confirmed at the terminal).
enum WorkerExit {
    static let failure: Int32 = 1
    /// A wrong command line (unknown command or option, bad value, a payload the handler would
    /// refuse) or configuration (a missing or invalid variable, a production setting in another
    /// environment, a job type's required setting missing).
    static let usage: Int32 = 2

    /// Prints `clipnet-worker: <message>` on standard error and exits with `status`.
    static func fail(_ message: String, status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("clipnet-worker: \(message)\n".utf8))
        return ExitCode(status)
    }
}

extension WorkerCommand {
    /// ArgumentParser's own `main` with the project's exit rule (`CommandMain`): an unknown
    /// subcommand is named with a suggestion (`clipnet-worker statuss` -> did you mean `status`?)
    /// and a usage error exits with 2, as the reconciler's do, instead of 64.
    static func main() async {
        await CommandMain.run(Self.self)
    }
}
