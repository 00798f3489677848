// foundation-bench: the foundation issue's figures, each against a named baseline in the same run.
//
//   1. Fetching one new commit into a bare mirror of a 10,000-commit repository:
//      GitWatch (libgit2, in process) vs `git fetch` into a `git clone --mirror` (baseline).
//   2. The file store's atomic update (lock, read, encode, temp+fsync+rename+fsync dir, history
//      append+fsync) vs a bare atomic write of the same bytes (temp+fsync+rename+fsync dir).
//
// Usage: FoundationBench [--commits 10000] [--rounds 30] [--writes 300] [--work DIR]
import AsyncPrimitives
import ClipnetContracts
import Foundation
import GitWatch
import KnownGoodStore

struct Options {
    var commits = 10_000
    var rounds = 30
    var writes = 300
    var work = NSTemporaryDirectory() + "clipnet-bench-\(getpid())"

    init() {
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let flag = arguments.next() {
            guard let value = arguments.next() else { fatalError("missing value for \(flag)") }
            switch flag {
            case "--commits": commits = Int(value)!
            case "--rounds": rounds = Int(value)!
            case "--writes": writes = Int(value)!
            case "--work": work = value
            default: fatalError("unknown option \(flag)")
            }
        }
    }
}

/// Runs a command to its end (through `Spawn`, like every child of the project); `input` is fed
/// from a file, so the write cannot deadlock against the command's output.
@discardableResult
func sh(_ arguments: [String], input: Data? = nil) throws -> String {
    var source = Spawn.Input.null
    if let input {
        let path = NSTemporaryDirectory() + "clipnet-bench-input-\(getpid())"
        try input.write(to: URL(fileURLWithPath: path))
        source = .file(path)
    }
    defer { if case .file(let path) = source { try? FileManager.default.removeItem(atPath: path) } }
    let result = try Spawn.runBlocking("/usr/bin/env", arguments, environment: ProcessInfo.processInfo.environment, input: source)
    guard result.status == 0 else {
        throw NSError(
            domain: "bench", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: "\(arguments.joined(separator: " ")): \(result.stderr)"])
    }
    return result.stdout
}

/// Generates `count` commits on `develop` with git fast-import, each touching one of 200 files.
func makeRepository(at path: String, commits count: Int) throws {
    try sh(["git", "init", "-q", "-b", "develop", path])
    var stream = ""
    stream.reserveCapacity(count * 220)
    for index in 1...count {
        let content = "line \(index)\n"
        stream += "commit refs/heads/develop\nmark :\(index)\ncommitter Bench <bench@example.test> \(1_700_000_000 + index) +0000\n"
        stream += "data \("commit \(index)".utf8.count)\ncommit \(index)\n"
        if index > 1 { stream += "from :\(index - 1)\n" }
        stream += "M 100644 inline src/file\(index % 200).txt\ndata \(content.utf8.count)\n\(content)\n"
    }
    try sh(["git", "-C", path, "fast-import", "--quiet"], input: Data(stream.utf8))
    try sh(["git", "-C", path, "config", "user.name", "Bench"])
    try sh(["git", "-C", path, "config", "user.email", "bench@example.test"])
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let index = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * p).rounded())))
    return sorted[index]
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

func row(_ name: String, _ samples: [Double]) -> String {
    String(format: "| %@ | %d | %.2f | %.2f | %.2f |", name, samples.count, percentile(samples, 0.5), percentile(samples, 0.9), samples.min() ?? 0)
}

let options = Options()
try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: options.work) }
let clock = ContinuousClock()

// MARK: 1. Fetch one new commit

let source = options.work + "/source"
let generated = clock.measure { try! makeRepository(at: source, commits: options.commits) }
FileHandle.standardError.write(Data("generated \(options.commits) commits in \(generated)\n".utf8))

let runtime = try GitRuntime()
let mirror = try await GitMirror.open(url: source, directory: options.work + "/gitwatch.git", runtime: runtime)
try await mirror.fetch()
let plain = options.work + "/plain.git"
try sh(["git", "clone", "-q", "--mirror", source, plain])

var gitwatchSamples: [Double] = []
var gitSamples: [Double] = []
for round in 0..<options.rounds {
    try sh(["git", "-C", source, "commit", "-q", "--allow-empty", "-m", "round \(round)"])
    let expected = try sh(["git", "-C", source, "rev-parse", "develop"]).trimmingCharacters(in: .whitespacesAndNewlines)
    // Alternate who goes first, so neither always meets warm caches.
    let order = round.isMultiple(of: 2) ? [true, false] : [false, true]
    for useGitWatch in order {
        if useGitWatch {
            let elapsed = try await clock.measure { try await mirror.fetch() }
            let head = try await mirror.head(of: "develop")
            precondition(head?.hex == expected, "GitWatch did not fetch the new head")
            gitwatchSamples.append(milliseconds(elapsed))
        } else {
            let elapsed = try clock.measure { try sh(["git", "-C", plain, "fetch", "-q", "--prune", "origin"]) }
            let head = try sh(["git", "-C", plain, "rev-parse", "develop"]).trimmingCharacters(in: .whitespacesAndNewlines)
            precondition(head == expected, "git fetch did not fetch the new head")
            gitSamples.append(milliseconds(elapsed))
        }
    }
}

// MARK: 2. File store atomic write

let stateDirectory = options.work + "/state"
let store = try FileStateStore(directory: stateDirectory)
var storeSamples: [Double] = []
for index in 0..<options.writes {
    let elapsed = try await clock.measure {
        try await store.update(environment: "staging") { state in
            let revision = String(format: "%040x", index + 1)
            state.recordKnownGood(
                KnownGoodRecord(
                    revision: revision, at: Date(), deployments: .init(frontend: "dpl_\(index)", api: "api-\(index)", worker: "wrk-\(index)")))
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: revision, by: "bench")]
        }
    }
    storeSamples.append(milliseconds(elapsed))
}
let document = try Data(contentsOf: URL(fileURLWithPath: stateDirectory + "/staging.json"))

/// The baseline: the minimum any crash-safe replace of the document costs.
func bareAtomicWrite(_ data: Data, to path: String) {
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    _ = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    fsync(fd)
    close(fd)
    rename(temporary, path)
    let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
    fsync(directory)
    close(directory)
}
var bareSamples: [Double] = []
for _ in 0..<options.writes {
    bareSamples.append(milliseconds(clock.measure { bareAtomicWrite(document, to: options.work + "/bare.json") }))
}

// MARK: Report

let cpu =
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n").first { $0.hasPrefix("model name") }?.split(
        separator: ":"
    ).last?.trimmingCharacters(in: .whitespaces) ?? "unknown"
print(
    """
    ### Foundation (\(ISO8601DateFormatter().string(from: Date())))

    Machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(cpu); libgit2 \(runtime.version); \(try sh(["git", "--version"]).trimmingCharacters(in: .whitespacesAndNewlines)).

    Fetch of one new commit into a bare mirror of a \(options.commits)-commit repository (local path remote), \(options.rounds) rounds, order alternated:

    | what | n | p50 ms | p90 ms | min ms |
    |---|---|---|---|---|
    \(row("GitWatch `GitMirror.fetch()` (libgit2, in process)", gitwatchSamples))
    \(row("baseline: `git fetch --prune` into `git clone --mirror`", gitSamples))

    Ratio GitWatch / git fetch (p50): **\(String(format: "%.2f", percentile(gitwatchSamples, 0.5) / percentile(gitSamples, 0.5)))** (target <= 1.0)

    File store update (\(document.count)-byte document, \(options.writes) updates, each with one history entry):

    | what | n | p50 ms | p90 ms | min ms |
    |---|---|---|---|---|
    \(row("`FileStateStore.update` (flock, read, encode, atomic replace, history append + fsync)", storeSamples))
    \(row("baseline: bare atomic replace of the same bytes (temp, fsync, rename, fsync dir)", bareSamples))

    Ratio store update / bare atomic write (p50): **\(String(format: "%.2f", percentile(storeSamples, 0.5) / percentile(bareSamples, 0.5)))**
    """)
