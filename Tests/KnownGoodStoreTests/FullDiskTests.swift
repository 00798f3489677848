import ClipnetContracts
import Foundation
import KnownGoodStore
import Logging
import Synchronization
import TestSupport
import Testing

/// The file backend on a disk that refuses writes. `/dev/full` answers every write with ENOSPC,
/// so a history file linked to it is a full disk for the append after the commit point.
@Suite struct FullDiskTests {

    @Test func aChangeThatTookEffectIsReportedWithItsHistoryPending() async throws {
        let directory = try TemporaryDirectory()
        let log = CapturingLogHandler()
        let store = try FileStateStore(directory: directory.path, logger: log.logger)
        try FileManager.default.createSymbolicLink(atPath: directory.appending("staging.history.jsonl"), withDestinationPath: "/dev/full")

        let pin = PinRecord(revision: String(repeating: "ab", count: 20), reason: "hold", by: "alice", at: Date(timeIntervalSince1970: 1_700_000_000))
        let committed = try await store.update(environment: "staging") { state in
            state.pin = pin
            return [HistoryEntry(at: Date(), kind: .pinned, by: "alice")]
        }
        #expect(committed.pin == pin)
        #expect(try await store.load(environment: "staging").pin == pin)
        #expect(log.text.contains("history entry is pending"))
        #expect(log.text.contains("ENOSPC"), "\(log.text)")

        // Space again: readers see the pending entry, and the next update appends it.
        try FileManager.default.removeItem(atPath: directory.appending("staging.history.jsonl"))
        #expect(try await store.history(environment: "staging", limit: 10).map(\.by) == ["alice"])
        try await store.update(environment: "staging") { _ in [HistoryEntry(at: Date(), kind: .unpinned, by: "bob")] }
        let lines = try String(contentsOfFile: directory.appending("staging.history.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try await store.history(environment: "staging", limit: 10).map(\.by) == ["bob", "alice"])
    }

    @Test func theProbeFailsWhileTheFolderCannotTakeAFileAndPassesAfter() async throws {
        let parent = try TemporaryDirectory()
        let path = parent.appending("state")
        let store = try FileStateStore(directory: path)
        try await store.probeWritable(environment: "staging", timeout: .seconds(10))

        // The folder replaced by a file: nothing can be created in it.
        try FileManager.default.removeItem(atPath: path)
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        await #expect(throws: StateStoreError.self) { try await store.probeWritable(environment: "staging", timeout: .seconds(10)) }

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        try await store.probeWritable(environment: "staging", timeout: .seconds(10))
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).isEmpty, "the probe left a file behind")
    }
}
