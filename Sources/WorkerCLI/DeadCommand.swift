import ArgumentParser
import Foundation
import WorkerEngine

/// `clipnet-worker dead list|redrive|purge`: inspect and re-drive the dead set.
struct DeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead", abstract: "Inspect and re-drive the dead set.", subcommands: [List.self, Redrive.self, Purge.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the newest dead entries as JSON lines.")
        @OptionGroup var queueOptions: QueueOptions
        @Option var limit = 100

        func run() async throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for letter in try await queueOptions.queue().deadLetters(limit: limit) {
                print(String(decoding: try encoder.encode(letter), as: UTF8.self))
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put dead jobs back on the queue with their attempts reset.")
        @OptionGroup var queueOptions: QueueOptions
        @Option(help: "Job id to re-drive (repeatable).") var id: [String] = []
        @Flag(help: "Re-drive every dead job.") var all = false

        func run() async throws {
            guard all || !id.isEmpty else { throw ValidationError("name --id ... or --all") }
            let count = try await queueOptions.queue().redrive(ids: all ? nil : Set(id))
            print("re-driven: \(count)")
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the dead set.")
        @OptionGroup var queueOptions: QueueOptions

        func run() async throws {
            try await queueOptions.queue().purgeDead()
        }
    }
}

/// `clipnet-worker status`: queue depth by state.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Print the queue depth by state.")
    @OptionGroup var queueOptions: QueueOptions

    func run() async throws {
        let depth = try await queueOptions.queue().depth()
        print("queued \(depth.queued) inFlight \(depth.inFlight) retry \(depth.retrying) delayed \(depth.delayed) dead \(depth.dead)")
    }
}
