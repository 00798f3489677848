import ArgumentParser
import Foundation
import ReconcilerClient

/// `reconciler status`: what staging runs, what it should run and why, drift, the rollout in
/// flight; `-o json` prints the daemon's `/status` document unchanged, for scripts and `jq`;
/// `--watch` redraws it until interrupted.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the environment's status from a running daemon.")

    @OptionGroup var client: ClientOptions

    @OptionGroup var output: OutputOptions

    @Flag(help: "Redraw whenever the status changes, until Ctrl-C (JSON: one document per change).")
    var watch = false

    @Option(help: "With --watch, seconds between reads.")
    var interval: Double = 2

    func validate() throws {
        guard interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be from 0.1 to 3600 seconds") }
    }

    func run() async throws {
        var last: [UInt8]?
        repeat {
            let (document, raw) = try await client.withClient { try await $0.status() }
            if raw != last {
                last = raw
                if output.isJSON {
                    FileHandle.standardOutput.write(Data(raw + [UInt8(ascii: "\n")]))
                } else {
                    // At a terminal each redraw replaces the last; piped, each is appended.
                    if watch, isatty(STDOUT_FILENO) == 1 { printText("\u{1B}[H\u{1B}[2J") }
                    printText(StatusSummary.render(document))
                }
            }
            if watch { try await Task.sleep(for: .milliseconds(Int64(interval * 1000))) }
        } while watch
    }
}
