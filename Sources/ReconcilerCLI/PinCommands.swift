import ArgumentParser
import ClipnetContracts
import ReconcilerClient

/// `reconciler pin REV --reason T [--force]`: keep the environment at REV whatever lands on the branch.
struct PinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin", abstract: "Pin the environment to a revision (needs an operator token).",
        discussion: "A revision that is not on the watched branch needs --force.")

    @OptionGroup var action: ActionOptions

    @Argument(help: "The revision: a commit id (full or abbreviated), a tag or a branch.")
    var revision: String

    @Option(help: "Why, recorded in history and shown on the status page.")
    var reason: String

    @Flag(help: "Pin even if the revision is not on the watched branch.")
    var force = false

    @OptionGroup var waiting: WaitOptions

    func validate() throws {
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let pin = try await action.withClient { try await $0.pin(revision, reason: reason, force: force) }
        printLine("pinned \(pin.revision) by \(pin.by): \(pin.reason)")
        try await waiting.follow(action.client)
    }
}

/// `reconciler unpin [--reason T]`: follow the branch again.
struct UnpinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpin", abstract: "Remove the pin and follow the branch again (needs an operator token).")

    @OptionGroup var action: ActionOptions

    @Option(help: "Why, recorded in history.")
    var reason: String?

    @OptionGroup var waiting: WaitOptions

    func run() async throws {
        let branch = try await action.withClient { try await $0.unpin(reason: reason) }
        printLine("unpinned; following \(branch)")
        try await waiting.follow(action.client)
    }
}

/// `reconciler unmark [--reason T]`: clear the GitHub deployment request's mark.
struct UnmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unmark", abstract: "Clear the build a GitHub deployment request marked (needs an operator token).",
        discussion: "The environment follows a tag's mark, or the branch, again. A tag's mark is cleared by deleting the tag.")

    @OptionGroup var action: ActionOptions

    @Option(help: "Why, recorded in history.")
    var reason: String?

    @OptionGroup var waiting: WaitOptions

    func run() async throws {
        let answer = try await action.withClient { try await $0.unmark(reason: reason) }
        if let cleared = answer.cleared {
            printLine("cleared \(cleared.words) for \(CommitID.short(cleared.revision)); following the \(answer.source.rawValue)")
        } else {
            printLine("no deployment request marks a build; following the \(answer.source.rawValue)")
        }
        try await waiting.follow(action.client)
    }
}

/// `reconciler promote REV --reason T`: fast-forward the next environment's branch to REV.
struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Promote a known-good revision to the next environment (needs an admin token).",
        discussion: """
            Fast-forwards the branch the next environment follows (promotion.branch, e.g. production) to REVISION. \
            Refused unless REVISION is known-good here, not marked failed, and known-good for at least promotion.soak.
            """)

    @OptionGroup var action: ActionOptions

    @Argument(help: "A known-good revision of this environment (any form git understands).")
    var revision: String

    @Option(help: "Why, recorded in history.")
    var reason: String

    func validate() throws {
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let promotion = try await action.withClient { try await $0.promote(revision, reason: reason) }
        printLine(
            "promoted \(promotion.revision): \(promotion.branch) \(promotion.previous.map { "moved from \(CommitID.short($0))" } ?? "created") at \(TimeWords.stamp(promotion.at))"
        )
    }
}

struct RollbackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Roll back to the previous known-good revision, or --to one (needs an operator token).",
        discussion: "The environment stays pinned there until `reconciler unpin`.")

    @OptionGroup var action: ActionOptions

    @Option(help: "A known-good revision to roll back to (default: the previous one).")
    var to: String?

    @Option(help: "Why, recorded in history and shown on the status page.")
    var reason: String

    @OptionGroup var waiting: WaitOptions

    func validate() throws {
        guard !reason.allSatisfy(\.isWhitespace) else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let target = try await action.withClient { try await $0.rollback(to: to, reason: reason) }
        printLine("rolling back to \(target.revision) (known-good since \(TimeWords.stamp(target.at))); pinned until `reconciler unpin`")
        try await waiting.follow(action.client)
    }
}
