import AsyncPrimitives
import Foundation
@_spi(Benchmark) import GitWatch

// Soak benchmark of the git mirror: thousands of fetches of a local repository, resident memory
// sampled as it goes, bytes per fetch with the remote kept for the mirror's life (the fix)
// against one `git_remote_lookup` per fetch (the behaviour before it), in the same run.
//
//   swift run -c release GitSoakBench [--fetches 3000] [--warmup 100] [--sample-every 250] [--commit-every 100]

struct Options {
    var fetches = 3000
    var warmup = 100
    var sampleEvery = 250
    var commitEvery = 100

    init(_ arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let flag = iterator.next() {
            let value = iterator.next().flatMap(Int.init) ?? 0
            switch flag {
            case "--fetches": fetches = value
            case "--warmup": warmup = value
            case "--sample-every": sampleEvery = max(1, value)
            case "--commit-every": commitEvery = max(1, value)
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
    }
}

func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " "), statm.count > 1 else { return 0 }
    return (Int(statm[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
}

@discardableResult
func git(_ arguments: [String], in directory: String) throws -> String {
    var environment = ProcessInfo.processInfo.environment
    environment["GIT_AUTHOR_NAME"] = "bench"
    environment["GIT_AUTHOR_EMAIL"] = "bench@example.invalid"
    environment["GIT_COMMITTER_NAME"] = "bench"
    environment["GIT_COMMITTER_EMAIL"] = "bench@example.invalid"
    let result = try Spawn.runBlocking("/usr/bin/env", ["git", "-C", directory] + arguments, environment: environment)
    guard result.status == 0 else { throw NSError(domain: "git", code: Int(result.status)) }
    return result.stdout
}

struct Phase {
    var name: String
    var samples: [(fetches: Int, rss: Int)] = []
    var seconds = 0.0
    var start: Int { samples.first?.rss ?? 0 }
    var end: Int { samples.last?.rss ?? 0 }
    var fetches: Int { samples.last?.fetches ?? 0 }
    var bytesPerFetch: Double { fetches > 0 ? Double(end - start) / Double(fetches) : 0 }
}

let options = Options(CommandLine.arguments)
let root = FileManager.default.temporaryDirectory.appendingPathComponent("git-soak-\(UUID().uuidString.prefix(8))").path
let remote = (root as NSString).appendingPathComponent("remote")
try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }
try git(["init", "-q", "-b", "develop"], in: remote)
var commitNumber = 0
@MainActor func commit() throws {
    commitNumber += 1
    try "version: \(commitNumber)\n".write(toFile: (remote as NSString).appendingPathComponent("staging.yaml"), atomically: true, encoding: .utf8)
    try git(["add", "-A"], in: remote)
    try git(["commit", "-q", "-m", "v\(commitNumber)"], in: remote)
}
try commit()

let runtime = try GitRuntime()

@MainActor func run(_ name: String, fetch: @escaping (GitMirror) async throws -> Void) async throws -> Phase {
    let directory = (root as NSString).appendingPathComponent("\(name).git")
    let mirror = try await GitMirror.open(url: remote, directory: directory, runtime: runtime)
    for _ in 0..<options.warmup { try await fetch(mirror) }
    var phase = Phase(name: name)
    phase.samples.append((0, residentBytes()))
    let clock = ContinuousClock()
    let started = clock.now
    for index in 1...options.fetches {
        if index % options.commitEvery == 0 { try commit() }
        try await fetch(mirror)
        if index % options.sampleEvery == 0 || index == options.fetches { phase.samples.append((index, residentBytes())) }
    }
    phase.seconds = Double(started.duration(to: clock.now).components.seconds) + Double(started.duration(to: clock.now).components.attoseconds) / 1e18
    return phase
}

print(
    "git soak: libgit2 \(runtime.version), \(options.fetches) fetches per phase after \(options.warmup) warm-up, a commit every \(options.commitEvery)"
)
let kept = try await run("kept-remote") { try await $0.fetch() }
let direct = try await run("kept-remote-no-watchdog") { try await $0.fetchWithoutWatchdog() }
let lookup = try await run("lookup-per-fetch") { try await $0.fetchLookingUpTheRemoteEachTime() }
for phase in [kept, direct, lookup] {
    print(
        "\n\(phase.name): \(String(format: "%.1f", phase.seconds)) s, \(String(format: "%.2f", phase.seconds * 1000 / Double(max(1, phase.fetches)))) ms per fetch"
    )
    print("  fetches   RSS (MB)")
    for sample in phase.samples { print(String(format: "  %7d   %8.1f", sample.fetches, Double(sample.rss) / 1_048_576)) }
    print(String(format: "  growth %.1f MB, %.0f bytes per fetch", Double(phase.end - phase.start) / 1_048_576, phase.bytesPerFetch))
}
let ratio = lookup.bytesPerFetch / max(1, kept.bytesPerFetch)
print(
    String(
        format: "\nbytes per fetch: kept remote %.0f (without the watchdog %.0f), lookup per fetch %.0f (baseline / fix = %.0fx)",
        kept.bytesPerFetch, direct.bytesPerFetch, lookup.bytesPerFetch, ratio))
