import AsyncPrimitives
public import ClipnetContracts

/// Waiting for a deployment, the same way on every platform: poll with growing delays until the
/// status is terminal, the deadline passes, or the task is cancelled.
extension PlatformDeployer {
    /// Polls `id` until it is terminal and returns its final state (which may be a failure: check
    /// `status.isSuccess`).
    /// - Throws: `DeployerError.Code.deadlineExceeded` when `policy.deadline` passes first;
    ///   `CancellationError` when the task is cancelled.
    public func waitForTerminal(_ id: DeploymentID, of service: ServiceName, policy: WaitPolicy = WaitPolicy()) async throws -> ObservedDeployment {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: policy.deadline)
        var polls = 0
        while true {
            try Task.checkCancellation()
            let observed = try await deployment(id, of: service)
            if observed.status.isTerminal { return observed }
            let remaining = clock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw DeployerError(
                    .deadlineExceeded, "deployment \(id) of \(service) is still \(observed.rawStatus) after \(policy.deadline)",
                    isRetryable: false, platform: platform, operation: "waitForTerminal"
                )
            }
            polls += 1
            try await Task.sleep(for: min(policy.backoff.delay(afterFailures: polls), remaining))
        }
    }
}
