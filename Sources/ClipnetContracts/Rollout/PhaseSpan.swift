public import Foundation

/// One phase of a rollout on its timeline: when the machine entered it and when it left.
///
/// Why kept with the rollout: the time a rollout takes is the platforms' build and deploy time
/// plus what the controller adds between a platform reaching a state and the phase that waits on
/// it ending. The spans are the controller's side of that comparison, stored and served as they
/// are (`/status`, history, the phase duration histogram).
public struct PhaseSpan: Codable, Sendable, Equatable, Hashable {
    public var phase: RolloutPhase
    public var startedAt: Date
    /// When the machine moved on; nil for the phase the rollout is in, and for a terminal phase.
    public var endedAt: Date?

    public init(phase: RolloutPhase, startedAt: Date, endedAt: Date? = nil) {
        self.phase = phase
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    /// Seconds spent in the phase; nil while it is open.
    public var seconds: Double? { endedAt.map { $0.timeIntervalSince(startedAt) } }
}

extension [PhaseSpan] {
    /// The timeline with the open phase closed at `now` and `next` opened: what the rollout
    /// machine does on every phase change.
    public func moving(to next: RolloutPhase, at now: Date) -> [PhaseSpan] {
        var spans = self
        if let last = spans.indices.last, spans[last].endedAt == nil { spans[last].endedAt = now }
        spans.append(PhaseSpan(phase: next, startedAt: now, endedAt: next.isActive ? nil : now))
        return spans
    }
}
