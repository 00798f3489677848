import ArgumentParser
import ClipnetContracts
import KnownGoodStore
import ReconcilerClient

/// `reconciler retry`: roll out the desired revision again although it failed before.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Clear the desired revision's failure and reconcile now (needs an operator token).")

    @OptionGroup var action: ActionOptions

    @OptionGroup var waiting: WaitOptions

    func run() async throws {
        try await action.withClient { try await $0.reconcile(retry: true) }
        printLine("retry requested; `reconciler status` shows the rollout")
        try await waiting.follow(action.client)
    }
}

/// `reconciler reconcile`: run a reconcile pass now instead of at the next poll.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Ask the daemon for a reconcile pass now (needs an operator token).")

    @OptionGroup var action: ActionOptions

    func run() async throws {
        try await action.withClient { try await $0.reconcile(retry: false) }
        printLine("reconcile requested")
    }
}

/// `reconciler history [--limit N] [--rollout ID]`: what happened, newest first; with `--rollout`,
/// one rollout's entries and the timeline of its phases.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show rollouts, rollbacks, pins and retries, newest first.")

    @OptionGroup var client: ClientOptions

    @Option(help: "How many entries (1 to 1000).")
    var limit: Int = 20

    @Option(help: "One rollout (its id, `ro-...`, from status or history): its entries and how long each phase took.")
    var rollout: String?

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        if let rollout, rollout.isEmpty { throw ValidationError("--rollout needs a rollout id") }
    }

    func run() async throws {
        if let rollout {
            try await showRollout(rollout)
            return
        }
        let (entries, readiness) = try await client.withClient { client in
            (try await client.history(limit: limit), (try? await client.status().document.rollbackReadiness) ?? [])
        }
        if output.isJSON {
            try output.printJSON(HistoryDocument(entries: entries))
        } else {
            printText(HistoryTable.render(entries, readiness: readiness))
        }
    }
}

extension HistoryCommand {
    /// The entries of `id` among the last 1000, and its timeline: from the entry that ended it,
    /// or from `/status` while it is the rollout in flight.
    func showRollout(_ id: String) async throws {
        let (entries, status) = try await client.withClient { client in
            (try await client.history(limit: 1000), try await client.status().document)
        }
        let mine = entries.filter { $0.rolloutID == id }
        let live = status.rollout?.id == id ? status.rollout : nil
        guard !mine.isEmpty || live != nil else {
            // Not a usage mistake (no usage text): the answer is "not there", like a refusal.
            printError("reconciler: no rollout \(id) in the last 1000 history entries (ids look like ro-20261207T140000Z-4f2a9c)")
            throw ExitCode(CLIExitCode.refused)
        }
        let ended = mine.first(where: { $0.timeline != nil })
        let timeline = live?.timeline ?? ended?.timeline ?? []
        let steps = live?.platformSteps ?? ended?.platformSteps ?? []
        if output.isJSON {
            try output.printJSON(RolloutHistoryDocument(rolloutID: id, entries: mine, timeline: timeline, platformSteps: steps))
        } else {
            printText(HistoryTable.render(mine) + "\n" + TimelineTable.render(timeline, platformSteps: steps))
        }
    }
}

/// `history --rollout ID -o json`.
struct RolloutHistoryDocument: Encodable {
    var rolloutID: String
    var entries: [HistoryEntry]
    var timeline: [PhaseSpan]
    var platformSteps: [PlatformStep]
}

/// `reconciler cleanup-preview [--apply]`: the one-off clean-up of the staging variables an
/// earlier version wrote to Vercel's `preview` target (docs/platforms.md).
struct CleanupPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleanup-preview",
        abstract: "List (and with --apply remove) the staging variables an earlier version wrote to Vercel's preview target (needs an admin token).",
        discussion: """
            Only variables whose target is exactly preview and that the reconciler wrote (its comment marker, or \
            the key, type and value the manifest declares) are touched. Rotate any secret among them afterwards: \
            every preview deployment could read it.
            """)

    @OptionGroup var action: ActionOptions

    @Flag(help: "Remove what is found (default: only list it).")
    var apply = false

    func run() async throws {
        let result = try await action.withClient { try await $0.cleanupPreview(apply: apply) }
        printText(PreviewCleanupText.render(result))
    }
}

/// `reconciler plan`: what a reconcile would change now; applies nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what a reconcile would change now, applying nothing (needs a viewer token when the daemon has tokens).")

    @OptionGroup var client: ClientOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let plan = try await client.withClient { try await $0.plan() }
        if output.isJSON {
            try output.printJSON(plan)
        } else {
            printText(PlanSummary.render(plan))
        }
    }
}

/// `GET /history`'s document, as `history -o json` prints it.
struct HistoryDocument: Encodable {
    var entries: [HistoryEntry]
}
