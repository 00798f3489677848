import Foundation
import Reconciler
import Synchronization
import TestSupport
import Testing

/// Records every pass and lets the test hold a pass open until it says so.
private final class PassRecorder: Sendable {
    private let state = Mutex<(passes: [Set<ReconcileTrigger>], running: Int, maxRunning: Int)>(([], 0, 0))
    let firstPassStarted = AsyncStream<Void>.makeStream()
    let release = AsyncStream<Void>.makeStream()

    var passes: [Set<ReconcileTrigger>] { state.withLock { $0.passes } }
    var maxConcurrent: Int { state.withLock { $0.maxRunning } }

    func pass(_ triggers: Set<ReconcileTrigger>, holdFirst: Bool) async -> PassReport {
        let index = state.withLock { state -> Int in
            state.running += 1
            state.maxRunning = max(state.maxRunning, state.running)
            state.passes.append(triggers)
            return state.passes.count
        }
        if index == 1 && holdFirst {
            firstPassStarted.continuation.yield()
            var iterator = release.stream.makeAsyncIterator()
            _ = await iterator.next()
        }
        state.withLock { $0.running -= 1 }
        return PassReport(result: .succeeded, step: nil, message: nil, reason: nil, startedAt: Date(), duration: .zero, steps: [])
    }
}

@Suite struct ReconcileLoopTests {
    @Test func triggersDuringAPassAreCoalescedIntoOneFollowUp() async throws {
        let recorder = PassRecorder()
        // A one-hour timer: every pass here is explained by a request.
        let loop = ReconcileLoop(interval: .seconds(3600)) { await recorder.pass($0, holdFirst: true) }
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            var started = recorder.firstPassStarted.stream.makeAsyncIterator()
            _ = await started.next()
            // While the first pass is held open: a push, a webhook and two operator requests.
            loop.request(.newHead)
            loop.request(.webhook)
            loop.request(.operatorRequest)
            loop.request(.operatorRequest)
            recorder.release.continuation.yield()

            #expect(await eventually { loop.completedPasses() >= 2 })
            // Give a wrongly queued third pass the chance to show up before stopping.
            try? await Task.sleep(for: .milliseconds(200))
            group.cancelAll()
        }
        #expect(recorder.passes == [[.startup], [.newHead, .webhook, .operatorRequest]])
        #expect(recorder.maxConcurrent == 1)
    }

    @Test func anIdleLoopRunsOnItsTimer() async throws {
        let recorder = PassRecorder()
        let loop = ReconcileLoop(interval: .milliseconds(20), jitter: 0) { await recorder.pass($0, holdFirst: false) }
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await eventually { loop.completedPasses() >= 3 })
            group.cancelAll()
        }
        let passes = recorder.passes
        #expect(passes.first == [.startup])
        #expect(passes.dropFirst().allSatisfy { $0 == [.timer] })
    }

    @Test func theLastReportIsKept() async throws {
        let loop = ReconcileLoop(interval: .seconds(3600)) { _ in
            PassReport(
                result: .stalled, step: "preflight", message: "isolation", reason: .isolationViolation, startedAt: Date(), duration: .zero, steps: [])
        }
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await loop.run() }
            #expect(await eventually { loop.lastReport() != nil })
            group.cancelAll()
        }
        #expect(loop.lastReport()?.result == .stalled)
        #expect(loop.lastReport()?.step == "preflight")
    }
}
