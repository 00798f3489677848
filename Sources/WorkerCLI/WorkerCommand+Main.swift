import ArgumentParser
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
    /// ArgumentParser's own `main`, except that an unknown subcommand is named with a suggestion
    /// (`clipnet-worker statuss` -> did you mean `status`?) and a usage error exits with 2, as the
    /// reconciler's do, instead of 64.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = UnknownSubcommand.find(in: arguments, root: WorkerCommand.self) {
            FileHandle.standardError.write(Data("clipnet-worker: \(problem.message)\n".utf8))
            Foundation.exit(WorkerExit.usage)
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
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(WorkerExit.usage)
            }
            exit(withError: error)
        }
    }
}

/// A word where a subcommand belongs that names none, with the nearest one when it is close.
struct UnknownSubcommand: Equatable {
    let word: String
    /// The command it was given to, such as `clipnet-worker dead`.
    let command: String
    let known: [String]
    let suggestion: String?

    var message: String {
        var text = "unknown command '\(word)' for '\(command)'"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text + "\nCommands: \(known.joined(separator: ", ")). See '\(command) --help'."
    }

    /// Walks the subcommand words of `arguments` down the command tree; the first word that is
    /// not an option and names no subcommand of a command that has some is the problem.
    static func find(in arguments: [String], root: any ParsableCommand.Type) -> UnknownSubcommand? {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                let names = subcommands.map { $0._commandName }
                return UnknownSubcommand(word: word, command: path.joined(separator: " "), known: names,
                                         suggestion: EditDistance.nearest(to: word, among: names))
            }
            command = next
            path.append(word)
        }
        return nil
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, y) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The candidate nearest to `word` when it is within a third of its length (at least 2 edits
    /// allowed), else nil: `statuss` -> `status`, `lst` -> `list`, `frobnicate` -> nil.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { (name: $0, distance: between(word, $0)) }
        guard let best = scored.min(by: { $0.distance < $1.distance }) else { return nil }
        return best.distance <= max(2, word.count / 3) ? best.name : nil
    }
}
