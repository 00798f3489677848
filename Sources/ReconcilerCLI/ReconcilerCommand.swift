import ArgumentParser

@main
struct ReconcilerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reconciler")
}
