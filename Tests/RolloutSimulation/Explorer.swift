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
        await Simulation(manifests: manifests, heartbeatsNameDeployment: seed % 2 == 0).run(actions)
    }

    /// Sequences for `seeds`, `parallelism` at a time; stops collecting after `maxFailures`.
    public static func explore(
        seeds: Range<UInt64>, length: Int, manifests: SimManifests, parallelism: Int = 2, maxFailures: Int = 3
    ) async -> Summary {
        var summary = Summary(sequences: 0, steps: 0, failures: [])
        var next = seeds.lowerBound
        await withTaskGroup(of: (UInt64, [SimAction], Simulation.Violation?).self) { group in
            func add() {
                guard next < seeds.upperBound else { return }
                let seed = next
                next += 1
                group.addTask {
                    let actions = SimAction.sequence(seed: seed, length: length)
                    return (seed, actions, await run(actions, seed: seed, manifests: manifests))
                }
            }
            for _ in 0..<max(1, parallelism) { add() }
            while let (seed, actions, violation) = await group.next() {
                summary.sequences += 1
                summary.steps += actions.count
                if let violation, summary.failures.count < maxFailures {
                    let shortened = await shrink(actions, seed: seed, manifests: manifests)
                    let final = await run(shortened, seed: seed, manifests: manifests) ?? violation
                    summary.failures.append(Failure(seed: seed, violation: final, shortened: shortened))
                }
                add()
            }
        }
        return summary
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
