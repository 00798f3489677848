import ArgumentParser
import ClipnetConfig
import ClipnetContracts
import Foundation
import GitWatch
import Logging
import ServiceLifecycle
import UnixSignals

/// `reconciler heads` (formerly `watch`): mirrors a repository into the state folder and prints each new head of a
/// branch until interrupted. The git half of the daemon on its own: useful to check that the
/// daemon can reach and read a repository, and what `make run` runs until the demo exists.
struct HeadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads",
        abstract: "Mirror a repository and print each new head of a branch."
    )

    @Option(help: "Repository to watch: a local path, file://, https:// or ssh:// URL.")
    var repository: String

    @Option(help: "Branch to watch.")
    var branch: String = "develop"

    @Option(help: "State folder; the mirror goes to <state>/mirror/.")
    var state: String = "state"

    @Option(help: "Seconds between fetches (jittered by 10 %).")
    var interval: Double = 10

    @Option(help: "Name of the environment variable holding an https token (never the token itself).")
    var tokenEnv: String?

    @Flag(help: "Fetch once, print the head and exit.")
    var once = false

    func validate() throws {
        if let problem = NumericRange.problem(seconds: interval, flag: "--interval", range: 0.1...86_400) {
            throw ValidationError(problem)
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        let logger = Logger(label: "clipnet.reconciler")
        let runtime = try GitRuntime()
        let credentials: GitCredentials = tokenEnv.map { .httpsToken(environmentVariable: $0) } ?? .none
        let mirror = try await GitMirror.open(
            url: repository, directory: GitMirror.defaultDirectory(stateDirectory: state, url: repository),
            credentials: credentials, runtime: runtime)
        let watcher = BranchWatcher(
            mirror: mirror,
            configuration: .init(branch: branch, pollInterval: NumericRange.duration(seconds: interval)),
            logger: logger)

        if once {
            switch await watcher.poll() {
            case .success:
                guard let head = watcher.status().head else { throw ExitCode.failure }
                printLine(try await describe(HeadUpdate(branch: branch, previous: nil, current: head, kind: .initial, fetchedAt: Date()), mirror))
            case .failure(let error):
                FileHandle.standardError.write(Data("reconciler: \(error)\n".utf8))
                throw ExitCode.failure
            }
            return
        }

        printLine("Watching \(mirror.displayURL) branch \(branch) every \(interval)s; mirror in \(mirror.directory). Ctrl-C to stop.")
        let printer = HeadPrinter(watcher: watcher, mirror: mirror)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: watcher),
                    .init(service: printer, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// Prints each head the watcher publishes, one line each, until the stream ends.
struct HeadPrinter: Service {
    let watcher: BranchWatcher
    let mirror: GitMirror

    func run() async throws {
        for await update in watcher.updates.cancelOnGracefulShutdown() {
            printLine(try await describe(update, mirror))
        }
    }
}

/// `develop 3f2a9c1e0b7d fast-forward "Fix the queue" by Ada Lovelace, 2026-11-25T04:00:00Z [v1.2.0]`
func describe(_ update: HeadUpdate, _ mirror: GitMirror) async throws -> String {
    let info = try await mirror.commitInfo(update.current)
    let tags = try await mirror.tags(pointingAt: update.current)
    let time = ISO8601DateFormatter().string(from: info.time)
    let tagText = tags.isEmpty ? "" : " [\(tags.joined(separator: ", "))]"
    return "\(update.branch) \(update.current.hex) \(update.kind.rawValue) \"\(info.subject)\" by \(info.authorName), \(time)\(tagText)"
}

/// Writes one line to standard output unbuffered, so a pipe sees each head as it happens.
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
