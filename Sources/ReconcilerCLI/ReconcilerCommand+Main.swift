import ArgumentParser
import Foundation
import ReconcilerClient

extension ReconcilerCommand {
    /// ArgumentParser's own `main`, except that a usage error exits with 2 (the shell convention,
    /// documented in docs/operations.md) instead of 64, so scripts can tell a wrong command line
    /// (2) from a refusal by the daemon (1) and an unreachable daemon (3).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(CLIExitCode.usage)
            }
            exit(withError: error)
        }
    }
}
