public import Foundation

/// One step of a deployment as its platform timed it: Vercel's queue and build (from the
/// deployment's `createdAt`, `buildingAt` and `ready`), Railway's deployment events
/// (`SNAPSHOT_CODE`, `BUILD_IMAGE`, `CREATE_CONTAINER`, `HEALTHCHECK`, …).
///
/// Why kept beside the phase timeline: a rollout's time is the platforms' work plus what the
/// controller adds between a platform finishing and the phase that waited on it moving on; the
/// steps are the platforms' side of that comparison.
public struct PlatformStep: Codable, Sendable, Equatable, Hashable {
    public var service: ServiceName
    /// The platform's own name for the step.
    public var step: String
    public var startedAt: Date
    /// Nil for a step the platform had not finished when it was read.
    public var endedAt: Date?

    public init(service: ServiceName, step: String, startedAt: Date, endedAt: Date?) {
        self.service = service
        self.step = step
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    public var seconds: Double? { endedAt.map { $0.timeIntervalSince(startedAt) } }
}

extension [PlatformStep] {
    /// When the platforms finished the last of these steps: what a phase waiting on them could
    /// have moved on at, at the earliest.
    public var finishedAt: Date? { compactMap(\.endedAt).max() }
}

extension [PhaseSpan] {
    /// Seconds the controller added on top of the platforms: for each deploy phase, from the
    /// moment its platforms finished their last step (or the phase began, when they finished
    /// before it: a frontend built beside the backend) to the moment the phase moved on
    /// (`deployBackend`: the api's and the worker's steps; `deployFrontend`: the frontend's).
    /// Nil when no deploy phase has both ends known.
    public func controllerAdded(_ steps: [PlatformStep]) -> Double? {
        let waits: [(RolloutPhase, Set<ServiceName>)] = [(.deployBackend, Set(ServiceName.backend)), (.deployFrontend, [.frontend])]
        var added: Double?
        for (phase, services) in waits {
            guard let span = last(where: { $0.phase == phase }), let end = span.endedAt,
                let finished = steps.filter({ services.contains($0.service) }).finishedAt
            else { continue }
            added = (added ?? 0) + Swift.max(0, end.timeIntervalSince(Swift.max(finished, span.startedAt)))
        }
        return added
    }
}
