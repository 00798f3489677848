import Foundation
import KnownGoodStore
import TestSupport
import Testing

/// One daemon per state directory.
@Suite struct StateDirectoryLockTests {
    @Test func aSecondDaemonOnTheSameStateDirectoryIsRefusedNamingTheFirst() throws {
        let directory = try TemporaryDirectory(prefix: "state-lock")
        let first = try StateDirectoryLock(directory: directory.path)
        #expect {
            _ = try StateDirectoryLock(directory: directory.path)
        } throws: { error in
            guard let error = error as? StateStoreError else { return false }
            return error.code == .locked && error.message.contains("pid \(getpid())") && error.message.contains(directory.path)
        }
        withExtendedLifetime(first) {}
    }

    @Test func theLockIsFreeAgainOnceTheFirstDaemonIsGone() throws {
        let directory = try TemporaryDirectory(prefix: "state-lock")
        do {
            let first = try StateDirectoryLock(directory: directory.path)
            withExtendedLifetime(first) {}
        }
        let second = try StateDirectoryLock(directory: directory.path)
        #expect(FileManager.default.fileExists(atPath: second.path))
    }
}
