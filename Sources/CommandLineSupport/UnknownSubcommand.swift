public import ArgumentParser

/// A word where a subcommand belongs that names none, with the nearest one when it is close.
public struct UnknownSubcommand: Equatable, Sendable {
    public let word: String
    /// The command it was given to, such as `clipnet-worker dead`.
    public let command: String
    public let known: [String]
    public let suggestion: String?

    public var message: String {
        var text = "unknown command '\(word)' for '\(command)'"
        if let suggestion { text += "; did you mean '\(suggestion)'?" }
        return text + "\nCommands: \(known.joined(separator: ", ")). See '\(command) --help'."
    }

    /// Walks the subcommand words of `arguments` down the command tree; the first word that is
    /// not an option and names no subcommand of a command that has some is the problem.
    public static func find(in arguments: [String], root: any ParsableCommand.Type) -> UnknownSubcommand? {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                let names = subcommands.map { $0._commandName }
                return UnknownSubcommand(
                    word: word, command: path.joined(separator: " "), known: names,
                    suggestion: EditDistance.nearest(to: word, among: names))
            }
            command = next
            path.append(word)
        }
        return nil
    }
}

/// The command words of `arguments` (`reconciler token issue`), for naming the subcommand in an
/// option error: ArgumentParser's "Error: Unknown option" alone does not say whose option.
public enum CommandPath {
    public static func of(_ arguments: [String], root: any ParsableCommand.Type) -> String {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            guard !word.hasPrefix("-"), let next = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = next
            path.append(word)
        }
        return path.joined(separator: " ")
    }

    /// ArgumentParser's message with its `Error: ` replaced by the command's path:
    /// `reconciler status: Unknown option '--bogus'`, then the usage lines as they were.
    public static func prefixed(_ message: String, path: String) -> String {
        guard message.hasPrefix("Error: ") else { return message }
        return path + ": " + message.dropFirst("Error: ".count)
    }
}
