import ArgumentParser
import Foundation
import ReconcilerClient

/// `reconciler status`: what staging runs, what it should run and why, drift, the rollout in
/// flight; `--json` prints the daemon's `/status` document unchanged, for scripts and `jq`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the environment's status from a running daemon.")

    @OptionGroup var client: ClientOptions

    @Flag(help: "Print the raw /status JSON document.")
    var json = false

    func run() async throws {
        let (document, raw) = try await client.withClient { try await $0.status() }
        if json {
            FileHandle.standardOutput.write(Data(raw + [UInt8(ascii: "\n")]))
        } else {
            printText(StatusSummary.render(document))
        }
    }
}
