import ClipnetContracts
import Foundation
import GitWatch
import TestSupport
import Testing

/// The daemon fetches every 30 s for months: a fetch must not leave memory behind. libgit2 1.5
/// leaked about 120 KB per `git_remote_lookup` (its config regex through PCRE2); the mirror now
/// looks the remote up once. A CI-sized check with a generous bound; `bench/git-soak` measures.
@Suite struct FetchMemoryTests {
    static func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
        return (Int(statm[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func threeHundredFetchesLeaveLessThanSixtyKilobytesEach() async throws {
        let harness = try await GitWatchHarness.make()
        try harness.remote.commit(files: ["deploy/staging.yaml": "version: 1\n"], message: "v1")
        for _ in 0..<30 { try await harness.mirror.fetch() }
        let before = try Self.residentBytes()
        let fetches = 300
        for index in 0..<fetches {
            if index % 100 == 50 { try harness.remote.commit(files: ["deploy/staging.yaml": "version: \(index)\n"], message: "v\(index)") }
            try await harness.mirror.fetch()
        }
        let after = try Self.residentBytes()
        let perFetch = max(0, after - before) / fetches
        #expect(perFetch < 60_000, "resident memory grew \(after - before) bytes over \(fetches) fetches")
        #expect(try await harness.mirror.head(of: "develop")?.hex == harness.remote.head())
    }
}
