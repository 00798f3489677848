import ArgumentParser

/// `reconciler`: keeps CLIPNET staging at the committed revision of its branch.
@main
struct ReconcilerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconciler",
        abstract: "Keeps CLIPNET staging at the revision committed to its branch.",
        discussion: "The rollout daemon, status server and operator commands arrive with later issues; see README.md.",
        subcommands: [
            WatchCommand.self, ValidateCommand.self,
            StatusCommand.self, PinCommand.self, UnpinCommand.self, RollbackCommand.self, RetryCommand.self,
            ReconcileCommand.self, HistoryCommand.self, PlanCommand.self,
        ]
    )
}
