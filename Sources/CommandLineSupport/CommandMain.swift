public import ArgumentParser
import Foundation

/// ArgumentParser's `main` with the project's exit rule: an unknown subcommand is named with a
/// suggestion, and a usage error exits with 2 (not 64), so scripts tell a wrong command line (2)
/// from a failure (1).
public enum CommandMain {
    public static func run<Root: ParsableCommand>(_ root: Root.Type) async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let name = root._commandName
        if let problem = UnknownSubcommand.find(in: arguments, root: root) {
            FileHandle.standardError.write(Data("\(name): \(problem.message)\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try root.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if root.exitCode(for: error) == .validationFailure {
                let message = CommandPath.prefixed(root.fullMessage(for: error), path: CommandPath.of(arguments, root: root))
                FileHandle.standardError.write(Data((message + "\n").utf8))
                Foundation.exit(2)
            }
            root.exit(withError: error)
        }
    }
}
