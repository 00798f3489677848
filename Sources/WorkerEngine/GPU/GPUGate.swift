import Foundation
import Logging
import RedisClient

/// The worker's side of the GPU fair share: every RunPod job runs inside `withSlot`, which holds a
/// lease of the namespace's `GPULeaseSemaphore` for as long as the job runs.
///
/// Why: staging and production share one RunPod endpoint; a burst of staging jobs must not take
/// the GPU production needs. When the namespace is at its cap, the job waits a little in process
/// (`localWait`), then goes back to the queue as a `JobDeferral` (no attempt used) so the worker's
/// slot is free for other work meanwhile.
public final class GPUGate: Sendable {
    public let semaphore: GPULeaseSemaphore
    public let namespace: String
    public let metrics: WorkerMetrics
    /// How long a job polls for a free slot before it is put back in the queue.
    public let localWait: Duration
    /// How long a deferred job waits in the queue before it tries again (jittered by 50 %).
    public let deferDelay: Duration

    public init(
        semaphore: GPULeaseSemaphore, namespace: String, metrics: WorkerMetrics,
        localWait: Duration = .seconds(2), deferDelay: Duration = .seconds(1)
    ) {
        self.semaphore = semaphore
        self.namespace = namespace
        self.metrics = metrics
        self.localWait = localWait
        self.deferDelay = deferDelay
    }

    /// Runs `body` holding one GPU slot of the namespace; renews the lease while it runs.
    /// - Throws: `JobDeferral` when no slot came free within `localWait`; `body`'s errors.
    public func withSlot<T: Sendable>(job: Job, _ body: @Sendable () async throws -> T) async throws -> T {
        let holder = "\(job.id):\(UUID().uuidString.prefix(8))"
        let clock = ContinuousClock()
        let started = clock.now
        let startedMilliseconds = JobEnvelope.nowMilliseconds()
        var acquired = false
        while true {
            let (got, held) = try await transient { try await self.semaphore.tryAcquire(holder: holder) }
            metrics.setGPULeases(held, namespace: namespace)
            if got {
                acquired = true
                break
            }
            if clock.now - started >= localWait { break }
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...150)))
        }
        guard acquired else {
            metrics.countGPUDeferral(namespace: namespace)
            let jittered = Double(QueueSlot.milliseconds(deferDelay)) * Double.random(in: 0.5...1.5)
            throw JobDeferral(
                reason: "RunPod namespace \(namespace) is at its GPU cap (\(semaphore.capacity))",
                after: .milliseconds(Int64(jittered)), waitingSince: startedMilliseconds)
        }
        let since = job.envelope.gpuWaitingSince ?? startedMilliseconds
        metrics.observeGPUWait(milliseconds: JobEnvelope.nowMilliseconds() - since, namespace: namespace)
        metrics.addGPUInFlight(1, namespace: namespace)
        let renewal = Task { [semaphore, logger = job.logger] in
            let interval = semaphore.leaseTTL / 3
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                if (try? await semaphore.renew(holder: holder)) == false {
                    logger.warning("GPU lease expired while the job ran; the namespace may briefly exceed its cap")
                }
            }
        }
        defer {
            renewal.cancel()
            metrics.addGPUInFlight(-1, namespace: namespace)
        }
        do {
            let result = try await body()
            await releaseSlot(holder)
            return result
        } catch {
            await releaseSlot(holder)
            throw error
        }
    }

    private func releaseSlot(_ holder: String) async {
        // A release that fails is harmless: the lease expires on its own.
        if let held = try? await semaphore.release(holder: holder) { metrics.setGPULeases(held, namespace: namespace) }
    }

    private func transient<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw JobFailure.transient("GPU lease: \(error)") }
    }
}
