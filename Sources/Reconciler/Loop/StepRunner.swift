import AsyncPrimitives
import Foundation
import Logging
import Metrics

/// Runs a pass's steps in order and turns how they ended into a `PassReport`. Whatever way the
/// pass ends (a step finishing it, a requeue, a typed error, an unexpected error), its result and
/// duration are recorded, in the report and in metrics.
public struct StepRunner<Context>: Sendable {
    public let steps: [any ReconcileStep<Context>]
    private let logger: Logger

    public init(steps: [any ReconcileStep<Context>], logger: Logger = Logger(label: "clipnet.reconciler")) {
        self.steps = steps
        self.logger = logger
    }

    public func run(_ context: inout Context) async -> PassReport {
        let startedAt = Date()
        let clock = ContinuousClock()
        let start = clock.now
        var timings: [PassReport.StepTiming] = []
        var report: PassReport?
        func finish(_ result: PassReport.Result, step: String?, message: String?, reason: ReconcileError.Reason? = nil) {
            report = PassReport(
                result: result, step: step, message: message, reason: reason, startedAt: startedAt,
                duration: start.duration(to: clock.now), steps: timings)
        }
        defer {
            if let report {
                Timer(label: "reconcile_duration_seconds", preferredDisplayUnit: .seconds).recordNanoseconds(report.duration.nanoseconds)
                Counter(label: "reconciles_total", dimensions: [("result", report.result.label)]).increment()
            }
        }

        for step in steps {
            let stepStart = clock.now
            do {
                let outcome = try await step.run(&context)
                timings.append(.init(name: step.name, duration: stepStart.duration(to: clock.now)))
                switch outcome {
                case .proceed:
                    continue
                case .done(let reason):
                    finish(.succeeded, step: step.name, message: reason)
                case .requeue(let delay, let reason):
                    finish(.requeued(after: delay), step: step.name, message: reason)
                }
            } catch let error as ReconcileError {
                timings.append(.init(name: step.name, duration: stepStart.duration(to: clock.now)))
                switch error.kind {
                case .stalled:
                    finish(.stalled, step: step.name, message: error.message, reason: error.reason)
                    logger.error("Reconcile stalled: a person must act", metadata: ["step": "\(step.name)", "reason": "\(error.reason)", "error": "\(error.message)"])
                case .waiting(let delay):
                    finish(.waiting(retryAfter: delay), step: step.name, message: error.message, reason: error.reason)
                case .transient:
                    finish(.failed, step: step.name, message: error.message, reason: error.reason)
                    logger.warning("Reconcile failed; will retry", metadata: ["step": "\(step.name)", "reason": "\(error.reason)", "error": "\(error.message)"])
                }
            } catch {
                timings.append(.init(name: step.name, duration: stepStart.duration(to: clock.now)))
                finish(.failed, step: step.name, message: "\(error)", reason: .unexpected)
                logger.warning("Reconcile failed with an unexpected error", metadata: ["step": "\(step.name)", "error": "\(error)"])
            }
            break
        }
        if report == nil { finish(.succeeded, step: nil, message: nil) }
        return report!
    }
}
