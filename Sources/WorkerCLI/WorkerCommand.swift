public import ArgumentParser
import ClipnetConfig
import ClipnetLogging
import Logging
import WorkerEngine

/// `clipnet-worker`: the one worker process for every CLIPNET job type, and its operator commands.
/// There is no default subcommand: a bare `clipnet-worker` prints this help and processes nothing.
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipnet-worker",
        abstract: "Runs every CLIPNET job type from one Redis queue.",
        discussion:
            "`run` processes jobs until SIGTERM; the other commands inspect and feed the queue. Exit status: 0 done, 1 failed or refused at run time, 2 the command line or the configuration is wrong (see docs/worker.md).",
        version: ClipnetVersion.described,
        subcommands: [RunCommand.self, EnqueueCommand.self, DeadCommand.self, StatusCommand.self, DemoCommand.self]
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
