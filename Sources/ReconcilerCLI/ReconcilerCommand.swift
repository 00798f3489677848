import ArgumentParser
import ClipnetConfig

/// `reconciler`: keeps CLIPNET staging at the committed revision of its branch.
@main
struct ReconcilerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconciler",
        abstract: "Keeps CLIPNET staging at the revision committed to its branch.",
        discussion:
            "`run` is the daemon (`reconciler-demo`, a separate binary, runs it against a throwaway staging on loopback). The client commands (status, pin, unpin, unmark, rollback, promote, retry, reconcile, history, plan, cleanup-preview) talk to a running daemon over HTTP; `token` manages named operator tokens; see docs/operations.md.",
        version: ClipnetVersion.described,
        subcommands: [
            InitCommand.self, RunCommand.self, ValidateCommand.self, HeadsCommand.self,
            StatusCommand.self, PinCommand.self, UnpinCommand.self, UnmarkCommand.self, RollbackCommand.self, PromoteCommand.self, RetryCommand.self,
            ReconcileCommand.self, HistoryCommand.self, PlanCommand.self, CleanupPreviewCommand.self, TokenCommand.self,
        ]
    )
}
