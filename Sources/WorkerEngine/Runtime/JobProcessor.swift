import AsyncPrimitives
import Foundation
public import Logging
public import RedisClient
public import ServiceLifecycle

/// Takes jobs from the queue and runs them, `concurrency` at a time: a `Service` whose `run()` has
/// one child task per slot (bounded concurrency without semaphores). Each slot loops: settle the
/// last job and fetch the next in one script, or block on BLMOVE when the queue is empty.
///
/// On graceful shutdown no slot takes another job; running jobs get `gracePeriod` to finish, then
/// are cancelled, and everything still in the slots goes back to the head of the queue.
public final class JobProcessor: Service {
    public let workerID: String
    public let queue: JobQueue
    public let registry: JobRegistry
    public let configuration: ProcessorConfiguration
    public let metrics: WorkerMetrics
    private let redisURL: RedisURL
    private let logger: Logger
    private let shutdown = ShutdownFlag()

    public init(
        workerID: String, queue: JobQueue, redisURL: RedisURL, registry: JobRegistry,
        configuration: ProcessorConfiguration = ProcessorConfiguration(), metrics: WorkerMetrics, logger: Logger
    ) {
        self.workerID = workerID
        self.queue = queue
        self.redisURL = redisURL
        self.registry = registry
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    /// Stops taking jobs, as SIGTERM does (for callers outside a ServiceGroup).
    public func beginShutdown() { shutdown.trigger() }

    public func run() async throws {
        let slots = (0..<configuration.concurrency).map { index in
            QueueSlot(
                index: index, worker: workerID, keys: queue.keys,
                connection: RedisConnection(
                    url: redisURL,
                    options: RedisConnection.Options(
                        commandTimeout: configuration.commandTimeout, connectAttempts: 1,
                        clientName: "clipnet-worker.\(workerID).\(index)"),
                    logger: logger),
                deadSetCapacity: configuration.deadSetCapacity, idempotencyTTL: configuration.idempotencyTTL)
        }
        logger.info(
            "Worker processing",
            metadata: [
                "worker.id": "\(workerID)", "worker.concurrency": "\(slots.count)",
                "worker.types": "\(registry.types.joined(separator: ","))",
            ])
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { outer in
                outer.addTask {
                    await withTaskGroup(of: Void.self) { group in
                        for slot in slots { group.addTask { await self.runSlot(slot) } }
                    }
                }
                outer.addTask { [shutdown, configuration] in
                    await shutdown.wait()
                    try? await Task.sleep(for: configuration.gracePeriod)
                }
                _ = await outer.next()
                outer.cancelAll()
            }
        } onGracefulShutdown: { [shutdown, logger] in
            logger.info("Graceful shutdown; no new jobs")
            shutdown.trigger()
        }
        var returned = 0
        for slot in slots {
            returned += (try? await slot.release()) ?? 0
            await slot.connection.close()
        }
        logger.info("Worker stopped", metadata: ["jobs.returned": "\(returned)"])
    }

    // MARK: - One slot

    private func runSlot(_ slot: QueueSlot) async {
        var pending: QueueSlot.Disposition?
        var next: [UInt8]?
        var failures = 0
        while true {
            let stopping = shutdown.isSet || Task.isCancelled
            do {
                if let disposition = pending {
                    if case .keep = disposition { return }
                    next = try await slot.settle(disposition, fetch: !stopping)
                    pending = nil
                }
                if stopping { return }
                if next == nil { next = try await slot.waitForJob(timeout: configuration.blockTimeout) }
                failures = 0
                guard let raw = next else { continue }
                next = nil
                pending = await process(raw, slot: slot)
            } catch {
                failures += 1
                logger.warning(
                    "Redis unavailable; reconnecting",
                    metadata: [
                        "worker.slot": "\(slot.index)", "error": "\(error)", "failures": "\(failures)",
                    ])
                while true {
                    if Task.isCancelled { return }
                    try? await Task.sleep(for: configuration.reconnectBackoff.delay(afterFailures: failures))
                    do {
                        let returned = try await slot.recover(replaying: pending)
                        if returned > 0 { logger.info("Returned unsettled jobs after reconnecting", metadata: ["jobs.returned": "\(returned)"]) }
                        pending = nil
                        next = nil
                        break
                    } catch {
                        failures += 1
                    }
                }
            }
        }
    }

    /// Runs one job and says what to do with it; never throws (every outcome is a disposition).
    private func process(_ raw: [UInt8], slot: QueueSlot) async -> QueueSlot.Disposition {
        let envelope: JobEnvelope
        do {
            envelope = try JobEnvelope.parse(raw)
        } catch {
            let message = (error as? QueueError)?.message ?? "envelope does not parse"
            return dead(raw: raw, envelope: nil, reason: .invalidEnvelope, error: message, attempts: 0)
        }
        let attempt = (envelope.attempts ?? 0) + 1
        // The job's logger is built only when something is logged (rarely, on the success path).
        let logger = self.logger
        func jobLogger() -> Logger { Job.logger(base: logger, envelope: envelope, attempt: attempt) }
        let debugging = logger.logLevel <= .debug

        guard let handler = registry[envelope.type] else {
            jobLogger().error("Unknown job type; dead-lettered")
            return dead(
                raw: raw, envelope: envelope, reason: .unknownType,
                error: "no handler for job type '\(envelope.type)'", attempts: attempt - 1)
        }
        let now = JobEnvelope.nowMilliseconds()
        if let runAt = envelope.runAt, runAt > now {
            return .delay(raw: raw, until: runAt)
        }
        if attempt == 1 { metrics.observePickup(milliseconds: now - max(envelope.enqueuedAt, envelope.runAt ?? 0)) }
        if let key = envelope.idempotencyKey, (try? await slot.isDone(idempotencyKey: key)) == true {
            jobLogger().info("Idempotency key already done; acknowledged without running")
            return .acknowledge(raw: raw, doneKey: nil)
        }
        if let crashes = envelope.crashes, crashes > 0 {
            jobLogger().warning("Running a job whose worker died while running it", metadata: ["job.crashes": "\(crashes)"])
        }
        let maxAttempts = envelope.maxAttempts ?? configuration.retry.defaultMaxAttempts
        let job = Job(envelope: envelope, attempt: attempt, maxAttempts: maxAttempts, baseLogger: logger, queue: queue)
        metrics.addInFlight(1)
        defer { metrics.addInFlight(-1) }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            if debugging { jobLogger().debug("Job started") }
            try await handler.handle(job)
            metrics.finished(.processed, type: envelope.type, duration: clock.now - started)
            if debugging { jobLogger().debug("Job done") }
            return .acknowledge(raw: raw, doneKey: envelope.idempotencyKey.map { queue.keys.done(idempotencyKey: $0) })
        } catch {
            let jobLogger = jobLogger()
            if let deferral = error as? JobDeferral {
                // Not an attempt: the envelope goes back unchanged but for when it started waiting.
                metrics.observeDuration(clock.now - started, type: envelope.type)
                var rewritten = envelope
                rewritten.gpuWaitingSince = envelope.gpuWaitingSince ?? deferral.waitingSince
                if debugging { jobLogger.debug("Job deferred", metadata: ["reason": "\(deferral.reason)"]) }
                guard let bytes = try? rewritten.encoded() else { return .delay(raw: raw, until: now + QueueSlot.milliseconds(deferral.after)) }
                return .retry(raw: raw, rewritten: bytes, after: deferral.after)
            }
            if error is CancellationError, shutdown.isSet || Task.isCancelled {
                metrics.observeDuration(clock.now - started, type: envelope.type)
                jobLogger.info("Job interrupted by shutdown; returned to the queue")
                return .keep
            }
            metrics.finished(.failed, type: envelope.type, duration: clock.now - started)
            let failure = error as? JobFailure ?? JobFailure.transient(String(describing: error))
            if !failure.code.retries {
                jobLogger.error("Job failed permanently; dead-lettered", metadata: ["error": "\(failure.message)"])
                return dead(
                    raw: raw, envelope: envelope, reason: failure.code.deadLetterReason ?? .permanent, error: failure.message, attempts: attempt)
            }
            if attempt >= maxAttempts {
                jobLogger.error("Job failed with no attempts left; dead-lettered", metadata: ["error": "\(failure.message)"])
                return dead(raw: raw, envelope: envelope, reason: .exhausted, error: failure.message, attempts: attempt)
            }
            var rewritten = envelope
            rewritten.attempts = attempt
            rewritten.lastError = failure.message
            let delay = configuration.retry.delay(afterFailures: attempt)
            metrics.count(.retried, type: envelope.type)
            jobLogger.warning("Job failed; retrying", metadata: ["error": "\(failure.message)", "retry.in_ms": "\(QueueSlot.milliseconds(delay))"])
            guard let bytes = try? rewritten.encoded() else {
                return dead(raw: raw, envelope: envelope, reason: .exhausted, error: failure.message, attempts: attempt)
            }
            return .retry(raw: raw, rewritten: bytes, after: delay)
        }
    }

    private func dead(raw: [UInt8], envelope: JobEnvelope?, reason: DeadLetterReason, error: String, attempts: Int) -> QueueSlot.Disposition {
        let type = envelope?.type ?? "unparseable"
        metrics.count(.dead, type: type)
        let letter = DeadLetter(
            id: envelope?.id, type: envelope?.type, reason: reason, error: error, attempts: attempts,
            diedAt: JobEnvelope.nowMilliseconds(), worker: workerID,
            envelope: String(decoding: raw, as: UTF8.self))
        if envelope == nil { logger.error("Unparseable envelope; dead-lettered", metadata: ["error": "\(error)"]) }
        return .dead(raw: raw, entry: (try? letter.encoded()) ?? Array(#"{"reason":"unencodable"}"#.utf8))
    }
}
