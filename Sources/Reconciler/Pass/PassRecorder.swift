import AsyncPrimitives
public import Foundation
public import Logging
import Metrics

/// Times the stages of one pass and turns how it ended into a `PassReport`. Whatever way the
/// pass ends (finished, waiting, a typed error, an unexpected error), its result and duration
/// are recorded, in the report and in metrics.
public final class PassRecorder: @unchecked Sendable {
    // Used by one pass, in order, from one task: no lock needed.
    private let startedAt: Date
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var timings: [PassReport.StepTiming] = []
    private(set) var stage = "resolveDesired"
    private var stageStart: ContinuousClock.Instant

    public init(startedAt: Date) {
        self.startedAt = startedAt
        start = clock.now
        stageStart = start
    }

    /// Enters the named stage (closing the one before).
    public func enter(_ name: String) {
        close()
        stage = name
        stageStart = clock.now
    }

    private func close() {
        timings.append(.init(name: stage, duration: stageStart.duration(to: clock.now)))
    }

    public func finish(_ result: PassReport.Result, message: String?, reason: ReconcileError.Reason? = nil) -> PassReport {
        close()
        let report = PassReport(
            result: result, step: stage, message: message, reason: reason, startedAt: startedAt, duration: start.duration(to: clock.now),
            steps: timings)
        Timer(label: "reconcile_duration_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(report.duration.nanoseconds)
        Counter(label: "reconciles_total", dimensions: [("result", report.result.label)]).increment()
        return report
    }

    /// The report for a pass that ended with `error`.
    public func finish(_ error: any Error, logger: Logger) -> PassReport {
        switch error {
        case let error as ReconcileError:
            switch error.kind {
            case .stalled:
                logger.error(
                    "Reconcile stalled: a person must act", metadata: ["step": "\(stage)", "reason": "\(error.reason)", "error": "\(error.message)"])
                return finish(.stalled, message: error.message, reason: error.reason)
            case .waiting(let delay):
                return finish(.waiting(retryAfter: delay), message: error.message, reason: error.reason)
            case .transient:
                logger.warning(
                    "Reconcile failed; will retry", metadata: ["step": "\(stage)", "reason": "\(error.reason)", "error": "\(error.message)"])
                return finish(.failed, message: error.message, reason: error.reason)
            }
        case is CancellationError:
            return finish(.failed, message: "the pass was cancelled", reason: .cancelled)
        default:
            logger.warning("Reconcile failed with an unexpected error", metadata: ["step": "\(stage)", "error": "\(error)"])
            return finish(.failed, message: "\(error)", reason: .unexpected)
        }
    }
}
