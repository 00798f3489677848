import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per state directory: an exclusive `flock` on `<directory>/daemon.lock`, held for
/// the life of this object (the process's, for `reconciler run`). Two daemons reconciling one
/// file store in parallel (an overlapping restart under a supervisor) would each start rollouts;
/// the second is refused with the first one's pid instead. The kernel drops the lock when the
/// process dies, so a crash never leaves a stale lock behind.
public final class StateDirectoryLock: Sendable {
    public let path: String
    private let descriptor: Int32

    /// - Throws: `StateStoreError(.locked)` when another process holds the lock.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        path = (directory as NSString).appendingPathComponent("daemon.lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StateStoreError(.invalidConfiguration, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw StateStoreError(
                .locked,
                "another reconciler\(holder.map { " (pid \($0))" } ?? "") already runs on the state directory \(directory); "
                    + "stop it first, or give this one its own state directory")
        }
        descriptor = fd
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
