import ArgumentParser
import ClipnetLogging
import Logging
import WorkerEngine

/// `clipnet-worker`: the one worker process for every CLIPNET job type, and its operator commands.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipnet-worker",
        abstract: "Runs every CLIPNET job type from one Redis queue.",
        subcommands: [RunCommand.self, EnqueueCommand.self, DeadCommand.self, StatusCommand.self, DemoCommand.self],
        defaultSubcommand: RunCommand.self
    )
}

/// Bootstraps JSON-lines logging on standard output once per process (the project's one log
/// format, `ClipnetLogging`).
enum LoggingSetup {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            ClipnetLogHandler(label: label, format: .json, level: level, sink: .standardOutput)
        }
        return Logger(label: "clipnet.worker")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
