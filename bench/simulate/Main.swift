import Foundation
import RolloutSimulation

/// `make simulate`: the long run of the rollout simulation. Usage: simulate [sequences] [length]
/// [first seed]. Prints the count, the sequences per second and every violation (shortened).
@main
struct Simulate {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst().compactMap { UInt64($0) }
        let sequences = arguments.first ?? 100_000
        let length = Int(arguments.dropFirst().first ?? 40)
        let first = arguments.dropFirst(2).first ?? 1
        let manifests = try SimManifests.load(deployDirectory: SimManifests.packageDeployDirectory)
        let clock = ContinuousClock()
        let start = clock.now
        var done: UInt64 = 0
        var steps = 0
        var failures: [Explorer.Failure] = []
        let batch: UInt64 = 2_000
        while done < sequences {
            let count = min(batch, sequences - done)
            let summary = await Explorer.explore(
                seeds: (first + done)..<(first + done + count), length: length, manifests: manifests,
                parallelism: ProcessInfo.processInfo.environment["SIM_WORKERS"].flatMap(Int.init) ?? ProcessInfo.processInfo.activeProcessorCount,
                maxFailures: 5)
            done += UInt64(summary.sequences)
            steps += summary.steps
            failures += summary.failures
            let elapsed = start.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            say("\(done) sequences, \(steps) steps, \(String(format: "%.0f", Double(done) / seconds)) sequences/s, \(failures.count) violation(s)")
            if failures.count >= 5 { break }
        }
        let elapsed = start.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        say(
            "simulate: \(done) sequences of \(length) steps (+ settling), \(steps) steps, \(String(format: "%.1f", seconds)) s, "
                + "\(String(format: "%.0f", Double(done) / seconds)) sequences/s, \(failures.count) violation(s)")
        for failure in failures { say("\(failure)") }
        if !failures.isEmpty { exit(1) }
    }

    /// Written straight to the output, unbuffered: a stopped run still says how far it got.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
