import ClipnetJSON
import Logging

/// Runs one stage of one clip with its bookkeeping in `clip_stages`: skipped when already done
/// (an at-least-once re-run changes nothing), `running` with the attempt while it runs, `failed`
/// with the error when it throws, `done` at the end; and when that completes the clip's pipeline,
/// `clipbot:post` is enqueued.
struct StageRun {
    let context: HandlerContext
    let job: Job

    /// - Returns: false when the stage was already done and `body` did not run.
    @discardableResult
    func run(clipId: String, stage: PipelineStage, _ body: () async throws -> Void) async throws -> Bool {
        let results = try context.requireResults()
        if try await results.isDone(clipId, stage) {
            job.logger.info("Stage already done; nothing to do", metadata: ["clip.id": "\(clipId)", "stage": "\(stage.rawValue)"])
            return false
        }
        try await results.stageStarted(clipId, stage, attempt: job.attempt)
        do {
            try await body()
        } catch let deferral as JobDeferral {
            throw deferral
        } catch {
            let message = (error as? JobFailure)?.message ?? "\(error)"
            try? await results.stageFailed(clipId, stage, attempt: job.attempt, error: message)
            throw error
        }
        let finished = try await results.stageDone(clipId, stage, attempt: job.attempt)
        if finished && stage != .post { try await enqueuePost(clipId: clipId) }
        return true
    }

    /// Enqueued by whichever stage finishes last; two stages finishing together may both enqueue
    /// it, which the fixed job id, the idempotency key and the done `clipbot:post` stage absorb.
    func enqueuePost(clipId: String) async throws {
        let id = "\(clipId):\(PipelineStage.post.rawValue)"
        try await job.queue.enqueue(
            JobEnvelope(
                id: id, type: PipelineStage.post.rawValue, payload: .object(["clipId": .string(clipId)]),
                idempotencyKey: id, traceId: job.envelope.traceId ?? job.id))
        job.logger.info("Pipeline finished; clipbot:post enqueued", metadata: ["clip.id": "\(clipId)"])
    }
}

/// Reading the RunPod workers' outputs, which CLIPNET's own RunPod handlers define
/// (docs/worker.md, "RunPod outputs").
enum RunPodOutput {
    static func text(_ output: JSONValue, _ field: String, task: String) throws -> String {
        if let text = output[field]?.stringValue { return text }
        if let text = output.stringValue { return text }
        throw JobFailure.transient("RunPod \(task) output has no '\(field)' text")
    }
}
