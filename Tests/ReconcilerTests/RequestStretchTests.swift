import ClipnetContracts
import Deployers
import Foundation
import Reconciler
import Synchronization
import Testing

/// Polling slows down as a platform's hourly budget runs out, and never below the configured pace.
@Suite struct RequestStretchTests {
    @Test(arguments: [(0, 1.0), (500, 1.0), (600, 1.0), (800, 2.0), (900, 4.0), (950, 8.0), (990, 20.0), (5_000, 20.0)])
    func theStretchGrowsAsTheBudgetRunsOut(used: Int, expected: Double) {
        let budget = RequestBudget(perHour: [.railway: 1_000], lastHour: { $0 == .railway ? used : 0 })
        #expect(abs(budget.stretch() - expected) < 0.001)
    }

    @Test func aPlatformWithoutABudgetIsCountedButNeverStretches() {
        let budget = RequestBudget(perHour: [.railway: 1_000], lastHour: { $0 == .vercel ? 1_000_000 : 10 })
        #expect(budget.stretch() == 1)
        let vercel = budget.usage().first { $0.platform == "vercel" }
        #expect(vercel?.lastHour == 1_000_000)
        #expect(vercel?.budgetPerHour == nil)
    }

    @Test func aStretchedLoopWaitsLongerBetweenTimerPasses() async throws {
        /// Runs a loop (20 ms interval) until it has made `passes` passes, or `deadline` passed;
        /// then `extra` longer; returns how many it made.
        func run(stretch: Double, until passes: Int, deadline: Duration, extra: Duration) async throws -> Int {
            let count = Mutex(0)
            let loop = ReconcileLoop(interval: .milliseconds(20), jitter: 0, pacing: { stretch }) { _ in
                count.withLock { $0 += 1 }
                return PassReport(result: .succeeded, step: nil, message: nil, reason: nil, startedAt: Date(), duration: .zero, steps: [])
            }
            let task = Task { try await loop.run() }
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: deadline)
            while count.withLock({ $0 }) < passes, clock.now < end { try await Task.sleep(for: .milliseconds(10)) }
            try await Task.sleep(for: extra)
            task.cancel()
            _ = try? await task.value
            return count.withLock { $0 }
        }
        // Unstretched, three passes come quickly (the deadline only bounds a stuck loop).
        #expect(try await run(stretch: 1, until: 3, deadline: .seconds(60), extra: .zero) >= 3)
        // Stretched ×1,000, the wait after the start-up pass is 20 s: no second pass in 300 ms.
        #expect(try await run(stretch: 1_000, until: 1, deadline: .seconds(60), extra: .milliseconds(300)) == 1)
    }
}
