import ArgumentParser
import WorkerEngine

/// `clipnet-worker`: the one worker process for every CLIPNET job type (filled by the worker issue).
@main
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clipnet-worker",
        abstract: "Runs every CLIPNET job type from one Redis queue."
    )

    func run() async throws {
        throw ValidationError("clipnet-worker is not built yet: see the WorkerEngine issue")
    }
}
