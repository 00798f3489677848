import ArgumentParser
import ClipnetFormats
import Foundation
import WorkerEngine

/// `clipnet-worker dead list|redrive|purge`: inspect and re-drive the dead set.
struct DeadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead", abstract: "Inspect and re-drive the dead set.", subcommands: [List.self, Redrive.self, Purge.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the newest dead entries: a table, or JSON lines with -o json.",
            discussion:
                "The table shows when each job died (RFC 3339, UTC) and how long ago, its id, type, reason, attempts and the start of its error. -o json prints one JSON object a line (id, type, reason, error, attempts, diedAt in Unix milliseconds, worker, envelope), for scripts."
        )
        @OptionGroup var queueOptions: QueueOptions
        @Option var limit = 100
        @Option(name: [.short, .customLong("output")], help: "Output format: table or json.") var output: OutputFormat = .table

        func run() async throws {
            let letters = try await queueOptions.queue().deadLetters(limit: limit)
            switch output {
            case .json:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                for letter in letters {
                    print(String(decoding: try encoder.encode(letter), as: UTF8.self))
                }
            case .table:
                print(DeadTable.render(letters, now: Date()), terminator: "")
            }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead jobs back on the queue with their attempts reset.",
            discussion: "An --id that is not in the dead set is an error (exit 1) naming it; the ids that are there are re-driven all the same.")
        @OptionGroup var queueOptions: QueueOptions
        @Option(help: "Job id to re-drive (repeatable).") var id: [String] = []
        @Flag(help: "Re-drive every dead job.") var all = false

        func validate() throws {
            guard all || !id.isEmpty else { throw ValidationError("name --id ... or --all") }
            guard !(all && !id.isEmpty) else { throw ValidationError("--all and --id exclude each other") }
        }

        func run() async throws {
            let queue = try await queueOptions.queue()
            guard !all else {
                print("re-driven: \(try await queue.redrive(ids: nil))")
                return
            }
            let present = Set(try await queue.deadLetters(limit: 10_000).compactMap(\.id))
            let wanted = Set(id)
            let unknown = id.filter { !present.contains($0) }
            let count = wanted.isDisjoint(with: present) ? 0 : try await queue.redrive(ids: wanted.intersection(present))
            print("re-driven: \(count)")
            if !unknown.isEmpty {
                let names = unknown.map { "'\($0)'" }.joined(separator: ", ")
                throw WorkerExit.fail(
                    "no dead job with id \(names) in \(queue.keys.dead) (see `clipnet-worker dead list`)", status: WorkerExit.failure)
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete the dead set.",
            discussion: "Asks for confirmation at a terminal; without one (a script, a pipe) it deletes nothing unless --yes is given.")
        @OptionGroup var queueOptions: QueueOptions
        @Flag(name: [.short, .long], help: "Delete without asking.") var yes = false

        func run() async throws {
            let queue = try await queueOptions.queue()
            let count = try await queue.depth().dead
            guard count > 0 else {
                print("the dead set \(queue.keys.dead) is empty: nothing to purge")
                return
            }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    throw WorkerExit.fail(
                        "dead purge deletes \(count) dead job(s) from \(queue.keys.dead) for good; standard input is not a terminal, "
                            + "so pass --yes to confirm. Nothing was purged.", status: WorkerExit.usage)
                }
                FileHandle.standardError.write(Data("Delete \(count) dead job(s) from \(queue.keys.dead) for good? [y/N] ".utf8))
                let answer = (readLine() ?? "").trimmingCharacters(in: .whitespaces).lowercased()
                guard answer == "y" || answer == "yes" else {
                    throw WorkerExit.fail("not confirmed: nothing was purged", status: WorkerExit.failure)
                }
            }
            try await queue.purgeDead()
            print("purged: \(count)")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// The readable form of `dead list`: a header, one row per dead job, columns padded to their
/// widest cell; the error is cut at 80 characters (`-o json` has all of it).
enum DeadTable {
    static func render(_ letters: [DeadLetter], now: Date) -> String {
        guard !letters.isEmpty else { return "no dead jobs\n" }
        let header = ["DIED", "AGE", "ID", "TYPE", "REASON", "ATTEMPTS", "ERROR"]
        let rows = letters.map { letter -> [String] in
            let died = Date(timeIntervalSince1970: Double(letter.diedAt) / 1000)
            return [
                RFC3339.string(from: died), RelativeTime.words(died, now: now), letter.id ?? "-", letter.type ?? "-",
                letter.reason.rawValue, String(letter.attempts), oneLine(letter.error, limit: 80),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }

    static func oneLine(_ text: String, limit: Int) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > limit ? String(flat.prefix(limit - 1)) + "…" : flat
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
