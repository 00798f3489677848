import CommandLineSupport

extension ReconcilerCommand {
    /// ArgumentParser's own `main` with the project's exit rule (`CommandMain`): an unknown
    /// subcommand is named with a suggestion (`reconciler stauts` -> did you mean `status`?) and a
    /// usage error exits with 2 (documented in docs/operations.md) instead of 64, so scripts can
    /// tell a wrong command line (2) from a refusal by the daemon (1) and an unreachable daemon (3).
    static func main() async {
        await CommandMain.run(Self.self)
    }
}
