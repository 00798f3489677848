import ArgumentParser
import CommandLineSupport
import Foundation
import ReconcilerClient

extension ReconcilerCommand {
    /// ArgumentParser's own `main`, except that an unknown subcommand is named with a suggestion
    /// (`reconciler stauts` -> did you mean `status`?) and a usage error exits with 2 (the shell
    /// convention, documented in docs/operations.md) instead of 64, so scripts can tell a wrong
    /// command line (2) from a refusal by the daemon (1) and an unreachable daemon (3).
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = UnknownSubcommand.find(in: arguments, root: ReconcilerCommand.self) {
            printError("reconciler: \(problem.message)")
            Foundation.exit(CLIExitCode.usage)
        }
        do {
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(CommandPath.prefixed(fullMessage(for: error), path: CommandPath.of(arguments, root: ReconcilerCommand.self)))
                Foundation.exit(CLIExitCode.usage)
            }
            exit(withError: error)
        }
    }
}
