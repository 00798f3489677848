import Foundation

/// Runs many seeded sequences and, for a failing one, shrinks it to a short sequence that still
/// breaks an invariant, so the report is something a person can read and replay.
public enum Explorer {
    public struct Failure: Sendable, CustomStringConvertible {
        public var seed: UInt64
        public var violation: Simulation.Violation
        public var shortened: [SimAction]

        public var description: String {
            "seed \(seed): \(violation)\n  shortest failing sequence (\(shortened.count) steps): "
                + shortened.map(\.description).joined(separator: ", ")
        }
    }

    public struct Summary: Sendable {
        public var sequences: Int
        public var steps: Int
        public var failures: [Failure]
    }

    /// Runs one sequence on a fresh world.
    public static func run(_ actions: [SimAction], seed: UInt64, manifests: SimManifests) async -> Simulation.Violation? {
        // Both kinds of heartbeat and both frontend orders (built after the backend is verified,
        // or beside it where builds stay off the domain), in all four combinations.
        // The release gate on for half of them (every seed of 4...7 mod 8).
        await Simulation(
            manifests: manifests, heartbeatsNameDeployment: seed % 2 == 0, frontendBuildsStayOffDomains: seed % 4 >= 2, releaseGate: seed % 8 >= 4
        ).run(actions)
    }

    /// Sequences for `seeds`, spread over `parallelism` workers (seed i goes to worker i mod n);
    /// each worker stops collecting failures after `maxFailures`.
    public static func explore(
        seeds: Range<UInt64>, length: Int, manifests: SimManifests, parallelism: Int = 2, maxFailures: Int = 3
    ) async -> Summary {
        let workers = max(1, parallelism)
        let tasks = (0..<workers).map { worker in
            Task {
                var summary = Summary(sequences: 0, steps: 0, failures: [])
                var seed = seeds.lowerBound + UInt64(worker)
                while seed < seeds.upperBound {
                    let actions = SimAction.sequence(seed: seed, length: length)
                    let violation = await run(actions, seed: seed, manifests: manifests)
                    summary.sequences += 1
                    summary.steps += actions.count
                    if let violation, summary.failures.count < maxFailures {
                        let shortened = await shrink(actions, seed: seed, manifests: manifests)
                        let final = await run(shortened, seed: seed, manifests: manifests) ?? violation
                        summary.failures.append(Failure(seed: seed, violation: final, shortened: shortened))
                    }
                    seed += UInt64(workers)
                }
                return summary
            }
        }
        var total = Summary(sequences: 0, steps: 0, failures: [])
        for task in tasks {
            let part = await task.value
            total.sequences += part.sequences
            total.steps += part.steps
            total.failures += part.failures
        }
        total.failures.sort { $0.seed < $1.seed }
        return total
    }

    /// Removes chunks of steps, halving the chunk size, as long as the sequence still fails.
    public static func shrink(_ actions: [SimAction], seed: UInt64, manifests: SimManifests) async -> [SimAction] {
        var current = actions
        var chunk = max(1, current.count / 2)
        while chunk >= 1 {
            var index = 0
            var removed = false
            while index < current.count {
                var candidate = current
                candidate.removeSubrange(index..<min(current.count, index + chunk))
                if !candidate.isEmpty, await run(candidate, seed: seed, manifests: manifests) != nil {
                    current = candidate
                    removed = true
                } else {
                    index += chunk
                }
            }
            if !removed { chunk /= 2 }
        }
        return current
    }
}
