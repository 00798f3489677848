public import ClipnetContracts
public import Foundation
public import KnownGoodStore

/// Decides what a channel must be told, from the store and the daemon's context: a pure
/// function, so the same record always gives the same events, and a restart gives none twice.
///
/// Three sources, in this order:
/// 1. the history entries the channel has not had (every rollout's start and end, operator
///    actions, drift healed);
/// 2. the rollout in flight, when it entered a phase the channel has not seen;
/// 3. edges of the context: a stall began or ended, the reported drift changed.
public struct NotificationPlanner: Sendable {
    /// One event and how the channel's marks move once it is delivered.
    public struct Planned: Sendable {
        public var event: NotificationEvent
        public var advance: Advance
    }

    /// The marks an event moves (nil: leaves them as they are).
    public struct Advance: Sendable, Equatable {
        public var historySequence: Int64?
        public var rolloutPhase: String?
        public var stalled: String??
        public var driftReported: String??
    }

    public let environment: String
    /// The status page as people reach it.
    public let statusURL: String?
    /// `https://github.com/owner/name`, for commit and compare links.
    public let repositoryWebURL: String?

    public init(environment: String, statusURL: String?, repositoryWebURL: String?) {
        self.environment = environment
        self.statusURL = statusURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.repositoryWebURL = repositoryWebURL
    }

    /// Lines of each failed build sent with an event.
    static let logLines = 20

    /// The marks a channel starts from when it is first configured: what happened since the
    /// daemon started (`startSequence`, the history's newest entry then), nothing from before.
    public static func initialMarks(_ state: EnvironmentState, startSequence: Int64) -> ChannelMarks {
        ChannelMarks(historySequence: min(startSequence, state.historySequence))
    }

    /// - Parameter entries: the history entries after `marks.historySequence`, oldest first.
    public func plan(state: EnvironmentState, entries: [HistoryEntry], marks: ChannelMarks, context: NotificationContext, now: Date) -> [Planned] {
        var planned: [Planned] = []
        var phaseMark = marks.rolloutPhase
        for entry in entries where entry.sequence > marks.historySequence {
            let (event, fromRecord) = historyEvent(entry, state: state, batch: entries, context: context, now: now)
            var advance = Advance(historySequence: entry.sequence)
            if let record = fromRecord {
                advance.rolloutPhase = Self.phaseKey(record)
                phaseMark = advance.rolloutPhase
            }
            planned.append(Planned(event: event, advance: advance))
        }
        if let record = state.rollout, record.isActive, Self.phaseKey(record) != phaseMark {
            let key = Self.phaseKey(record)
            let event = NotificationEvent(
                id: "\(environment)-\(record.id)-\(record.phase.rawValue)-\(record.timeline?.count ?? 0)", type: .rolloutProgressed,
                environment: environment, at: now, revision: record.revision, rollout: rolloutView(record, now: now),
                links: links(revision: record.revision, record: record, context: context))
            planned.append(Planned(event: event, advance: Advance(rolloutPhase: key)))
        }
        planned.append(contentsOf: edges(state: state, marks: marks, context: context, now: now))
        return planned
    }

    static func phaseKey(_ record: RolloutRecord) -> String { "\(record.id)/\(record.phase.rawValue)" }

    // MARK: - History

    private func historyEvent(
        _ entry: HistoryEntry, state: EnvironmentState, batch: [HistoryEntry], context: NotificationContext, now: Date
    ) -> (NotificationEvent, RolloutRecord?) {
        let type: NotificationEvent.Kind =
            switch entry.kind {
            case .rolloutStarted: .rolloutStarted
            case .knownGood: .rolloutSucceeded
            case .rolloutFailed: .rolloutFailed
            case .rolledBack: entry.rolloutID == nil ? .operatorRollback : .rolloutRolledBack
            case .pinned: .pinned
            case .unpinned: .unpinned
            case .retried: .retried
            case .driftHealed: .driftHealed
            case .rolloutSuperseded: .rolloutSuperseded
            case .repointed: .rolloutRepointed
            case .promoted: .promoted
            case .requested: .requested
            case .unmarked: .unmarked
            }
        var event = NotificationEvent(
            id: "\(environment)-h\(entry.sequence)", type: type, environment: environment, at: entry.at, revision: entry.revision,
            actor: entry.by, reason: entry.reason, detail: entry.detail)
        var record: RolloutRecord?
        if let id = entry.rolloutID {
            if let current = state.rollout, current.id == id {
                record = current
                event.rollout = rolloutView(current, now: now)
            } else {
                event.rollout = rolloutView(id: id, entry: entry, batch: batch)
                // The record moved on; a request that still stands for this revision asked for it.
                if let request = state.request, request.revision == event.rollout?.revision {
                    event.rollout?.requestDeployment = request.deployment
                }
            }
            if type == .rolloutFailed || type == .rolloutRolledBack {
                event.failureLogs = (state.failureLogs ?? []).filter { $0.rolloutID == id }.map {
                    NotificationEvent.LogExcerpt(
                        service: $0.service, deployment: $0.deployment, status: $0.status, lines: Array($0.lines.suffix(Self.logLines)), link: $0.link
                    )
                }
            }
        }
        // The rollout's own revision for its links (a rollback entry names where it went).
        event.links = links(revision: record?.revision ?? entry.revision, record: record, context: context)
        for log in event.failureLogs where !event.links.contains(where: { $0.name == log.service.rawValue }) {
            if let link = log.link { event.links.append(.init(name: log.service.rawValue, url: link)) }
        }
        return (event, record)
    }

    /// The rollout as its record says now.
    private func rolloutView(_ record: RolloutRecord, now: Date) -> NotificationEvent.Rollout {
        let end = record.isActive ? now : record.updatedAt
        var view = NotificationEvent.Rollout(
            id: record.id, revision: record.revision, phase: record.phase.rawValue, mode: record.mode?.rawValue, trigger: record.trigger?.rawValue,
            source: record.source,
            startedAt: record.startedAt, elapsedSeconds: max(0, end.timeIntervalSince(record.startedAt)), error: record.error,
            failedPhase: record.failedPhase?.rawValue, rollbackTarget: record.rollbackTarget.map { CommitID.short($0.revision) },
            timeline: record.timeline ?? [])
        view.platformSteps = record.platformSteps ?? []
        view.requestDeployment = record.request?.deployment
        return view
    }

    /// A rollout the record has moved on from: what its history entries say (the entry that
    /// ended it carries its timeline).
    private func rolloutView(id: String, entry: HistoryEntry, batch: [HistoryEntry]) -> NotificationEvent.Rollout {
        let ending = batch.last { $0.rolloutID == id && $0.timeline != nil }
        let timeline = ending?.timeline ?? entry.timeline ?? []
        let startedAt = timeline.first?.startedAt ?? batch.first { $0.rolloutID == id && $0.kind == .rolloutStarted }?.at ?? entry.at
        let ended = batch.last { $0.rolloutID == id && $0.timeline != nil }?.at ?? entry.at
        let phase: String =
            timeline.last?.phase.rawValue
            ?? {
                switch entry.kind {
                case .knownGood, .repointed, .driftHealed: RolloutPhase.succeeded.rawValue
                case .rolledBack: RolloutPhase.rolledBack.rawValue
                case .rolloutSuperseded: RolloutPhase.superseded.rawValue
                case .rolloutFailed: RolloutPhase.failed.rawValue
                default: RolloutPhase.syncVariables.rawValue
                }
            }()
        let failure = batch.first { $0.rolloutID == id && $0.kind == .rolloutFailed }
        let started = batch.first { $0.rolloutID == id && $0.kind == .rolloutStarted }
        var view = NotificationEvent.Rollout(
            id: id, revision: started?.revision ?? failure?.revision ?? (entry.kind == .rolledBack ? nil : entry.revision), phase: phase, mode: nil,
            trigger: nil, source: batch.first { $0.rolloutID == id && $0.kind == .rolloutStarted }?.reason,
            startedAt: startedAt, elapsedSeconds: max(0, ended.timeIntervalSince(startedAt)), error: failure?.reason, failedPhase: nil,
            rollbackTarget: nil, timeline: timeline)
        view.platformSteps = ending?.platformSteps ?? entry.platformSteps ?? []
        return view
    }

    private func links(revision: String?, record: RolloutRecord?, context: NotificationContext) -> [NotificationEvent.Link] {
        var links: [NotificationEvent.Link] = []
        if let statusURL { links.append(.init(name: "status", url: statusURL + "/")) }
        if let repositoryWebURL, let revision {
            links.append(.init(name: "commit", url: "\(repositoryWebURL)/commit/\(revision)"))
            if let base = record?.rollbackTarget?.revision, base != revision, record?.mode != .repoint {
                links.append(.init(name: "compare", url: "\(repositoryWebURL)/compare/\(base)...\(revision)"))
            }
        }
        if let record {
            let moved = record.repointDeployments ?? ServiceDeployments()
            for service in ServiceName.allCases {
                guard let id = moved[service] ?? record.deployments[service], let url = context.deploymentLinks[id] else { continue }
                links.append(.init(name: service.rawValue, url: url))
            }
        }
        return links
    }

    // MARK: - Edges of the context

    private func edges(state: EnvironmentState, marks: ChannelMarks, context: NotificationContext, now: Date) -> [Planned] {
        var planned: [Planned] = []
        let stamp = "\(state.historySequence)"
        if context.passKnown, context.stall?.key != marks.stalled {
            if let stall = context.stall {
                var advance = Advance()
                advance.stalled = .some(stall.key)
                planned.append(
                    Planned(
                        event: NotificationEvent(
                            id: "\(environment)-stalled-\(stamp)-\(Self.digest(stall.key))", type: .stalled, environment: environment, at: now,
                            revision: state.rollout?.revision, actor: "reconciler", detail: stall.message,
                            links: links(revision: nil, record: nil, context: context)),
                        advance: advance))
            } else {
                var advance = Advance()
                advance.stalled = .some(nil)
                planned.append(
                    Planned(
                        event: NotificationEvent(
                            id: "\(environment)-recovered-\(stamp)-\(Self.digest(marks.stalled ?? ""))", type: .recovered, environment: environment,
                            at: now, actor: "reconciler", detail: "passes run again", links: links(revision: nil, record: nil, context: context)),
                        advance: advance))
            }
        }
        let drift = context.reportedDrift.isEmpty ? nil : context.reportedDrift.sorted().joined(separator: "\n")
        if context.driftKnown, drift != marks.driftReported {
            var advance = Advance()
            advance.driftReported = .some(drift)
            let type: NotificationEvent.Kind = drift == nil ? .driftCleared : .driftReported
            planned.append(
                Planned(
                    event: NotificationEvent(
                        id: "\(environment)-\(type.rawValue)-\(stamp)-\(Self.digest(drift ?? marks.driftReported ?? ""))", type: type,
                        environment: environment, at: now, actor: "reconciler",
                        detail: drift.map { $0.split(separator: "\n").prefix(10).joined(separator: "; ") } ?? "no reported drift remains",
                        links: links(revision: nil, record: nil, context: context)),
                    advance: advance))
        }
        return planned
    }

    /// A short stable digest (FNV-1a) for event ids: the same text gives the same id on every run.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension ChannelMarks {
    /// The marks after `advance` was delivered.
    public mutating func apply(_ advance: NotificationPlanner.Advance) {
        if let sequence = advance.historySequence { historySequence = max(historySequence, sequence) }
        if let phase = advance.rolloutPhase { rolloutPhase = phase }
        if let stalled = advance.stalled { self.stalled = stalled }
        if let drift = advance.driftReported { driftReported = drift }
    }
}
