import ClipnetContracts
import Foundation
import KnownGoodStore
import TestSupport
import Testing

/// What only the file backend has to get right: its files on disk.
@Suite struct FileStateStoreTests {
    @Test func aDocumentThatCannotBeDecodedIsReportedAndLeftAsItIs() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileStateStore(directory: directory.path)
        let path = directory.appending("staging.json")
        try Data("{\"format\":1,\"state\":{".utf8).write(to: URL(fileURLWithPath: path))

        await #expect {
            try await store.load(environment: "staging")
        } throws: { error in
            (error as? StateStoreError)?.code == .corrupt && "\(error)".contains("staging.json")
        }
        // An update refuses too: it never overwrites what it could not read.
        await #expect(throws: StateStoreError.self) {
            try await store.update(environment: "staging") { _ in [] }
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{\"format\":1,\"state\":{")
    }

    @Test func anIncompleteFinalHistoryLineIsIgnoredThenRepaired() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileStateStore(directory: directory.path)
        for n in 1...2 {
            try await store.update(environment: "staging") { state in
                state.recordKnownGood(record(n))
                return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(n).revision)]
            }
        }
        // A crash in the middle of an append leaves half a line.
        let historyPath = directory.appending("staging.history.jsonl")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: historyPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"sequence\":3,\"kin".utf8))
        try handle.close()

        #expect(try await store.history(environment: "staging", limit: 10).map(\.sequence) == [2, 1])

        try await store.update(environment: "staging") { state in
            state.recordKnownGood(record(3))
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: record(3).revision)]
        }
        let lines = try String(contentsOfFile: historyPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(try await store.history(environment: "staging", limit: 10).map(\.sequence) == [3, 2, 1])
    }

    @Test func historyMissingFromTheFileIsCompletedFromTheDocument() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileStateStore(directory: directory.path)
        try await store.update(environment: "staging") { _ in [HistoryEntry(at: Date(), kind: .pinned, by: "alice")] }
        // As if the process died after the document was renamed into place but before the append.
        try Data().write(to: URL(fileURLWithPath: directory.appending("staging.history.jsonl")))

        #expect(try await store.history(environment: "staging", limit: 10).map(\.by) == ["alice"])
        try await store.update(environment: "staging") { _ in [HistoryEntry(at: Date(), kind: .unpinned, by: "bob")] }
        let lines = try String(contentsOfFile: directory.appending("staging.history.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(try await store.history(environment: "staging", limit: 10).map(\.sequence) == [2, 1])
    }

    @Test func temporaryFilesLeftByAKilledWriterAreRemoved() async throws {
        let directory = try TemporaryDirectory()
        let store = try FileStateStore(directory: directory.path)
        let stale = directory.appending("staging.json.tmp-99999-1")
        try Data("partial".utf8).write(to: URL(fileURLWithPath: stale))
        try await store.update(environment: "staging") { _ in [] }
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func filesAreReadableByTheOwnerOnly() async throws {
        let directory = try TemporaryDirectory()
        let stateDirectory = directory.appending("state")
        let store = try FileStateStore(directory: stateDirectory)
        try await store.update(environment: "staging") { _ in [HistoryEntry(at: Date(), kind: .pinned)] }
        for name in ["", "/staging.json", "/staging.history.jsonl"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: stateDirectory + name)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode & 0o077 == 0, "\(name) has mode \(String(mode, radix: 8))")
        }
    }

    @Test func stateLocationsParseAndRedactPasswords() throws {
        #expect(try StateStoreLocation(parsing: "file:state/") == .file(directory: "state/"))
        #expect(try StateStoreLocation(parsing: "file:///var/lib/reconciler") == .file(directory: "/var/lib/reconciler"))
        let postgres = try StateStoreLocation(parsing: "postgresql://rec:hunter2@db.internal:5432/reconciler")
        #expect(postgres == .postgres(url: "postgresql://rec:hunter2@db.internal:5432/reconciler"))
        #expect(postgres.description == "postgresql://rec:***@db.internal:5432/reconciler")
        #expect(!"\(postgres)".contains("hunter2"))
        #expect(throws: StateStoreError.self) { try StateStoreLocation(parsing: "s3://bucket") }
        #expect(throws: StateStoreError.self) { try StateStoreLocation(parsing: "file://relative") }
    }
}
