import ArgumentParser
import ClipnetConfig
import ClipnetContracts
import Foundation
import Reconciler
import ReconcilerClient

/// `--wait` for the commands that move the environment: follow `/status` until it settles,
/// printing each rollout phase as it changes, so a shell script (or a person at 3 a.m.) knows when
/// the pin, rollback or retry has taken effect and whether it worked.
struct WaitOptions: ParsableArguments {
    @Flag(help: "Wait until the environment settles, printing each rollout phase; exit 1 if it fails or is held back.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds (exit 4).")
    var waitTimeout: Double = 1800

    func validate() throws {
        if let problem = NumericRange.problem(seconds: waitTimeout, flag: "--wait-timeout", range: 0.1...604_800) {
            throw ValidationError(problem)
        }
    }

    /// Follows the daemon until every service runs the desired revision with no rollout in
    /// flight (exit 0 from the caller), or the desired revision is failed or blocked (exit 1).
    /// Only status from a pass that started after the request is judged.
    func follow(_ options: ClientOptions) async throws {
        guard wait else { return }
        let deadline = ContinuousClock.now.advanced(by: NumericRange.duration(seconds: waitTimeout))
        var last = ""
        let after = try await options.withClient { try await $0.status().document.stateGeneration }
        while ContinuousClock.now < deadline {
            let document = try await options.withClient { try await $0.status().document }
            let line = Self.progress(document)
            if line != last {
                printLine("  \(TimeWords.stamp(Date()))  \(line)")
                last = line
            }
            switch SettleJudgement.judge(document, after: after) {
            case .settled:
                printLine("settled: every service runs \(document.desired.revision.map { String($0.prefix(12)) } ?? "?")")
                return
            case .failed(let why):
                printError("reconciler: \(why)")
                throw ExitCode(1)
            case .pending:
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        printError("reconciler: still not settled after \(Int(waitTimeout)) s; `reconciler status` shows where it stands")
        throw ExitCode(4)
    }

    static func progress(_ document: StatusDocument) -> String {
        let services = document.services.map { "\($0.name) \($0.revision.map { String($0.prefix(12)) } ?? "?")" }.joined(separator: ", ")
        guard let rollout = document.rollout else { return services }
        return "\(rollout.phase) \(rollout.revision.prefix(12))   \(services)"
    }
}
