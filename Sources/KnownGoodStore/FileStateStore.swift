import AsyncPrimitives
public import ClipnetContracts
import Foundation
public import Logging

/// The default backend (`file:state/`): per environment one JSON document, `<env>.json`, and an
/// append-only history, `<env>.history.jsonl`.
///
/// Crash safety, because the daemon may be killed at any instant:
/// - The document is replaced atomically: written to a temp file, fsynced, renamed over the old
///   one, and the directory fsynced. A reader sees the old or the new document, never a torn one.
/// - The document is the commit point. The history entries of an update are written into the
///   document first (`pendingHistory`) and appended to the JSON-lines file after; an append that a
///   crash cut short is completed by the next update, and readers merge the pending entries in.
///   History sequence numbers therefore stay contiguous whatever instant the process died at.
/// - Writers take an exclusive `flock` on `<env>.lock`, so processes sharing the folder never lose
///   each other's updates; within one process, the serial queue orders them.
public final class FileStateStore: StateStore {
    private let directory: URL
    private let queue = SerialBlockingQueue(label: "state.file")
    private let logger: Logger
    private let probes = ProbeGate()

    /// The document as stored on disk: the state plus the history entries of the last update.
    struct Document: Codable {
        var format = 1
        var state: EnvironmentState
        var pendingHistory: [HistoryEntry]
    }

    /// - Parameter directory: created (mode 0700) if missing.
    public init(directory: String, logger: Logger = Logger(label: "clipnet.state.file")) throws {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        self.logger = logger
        do {
            try FileManager.default.createDirectory(
                at: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StateStoreError(.invalidConfiguration, "cannot create the state directory \(self.directory.path): \(error.localizedDescription)")
        }
    }

    public func load(environment: String) async throws -> EnvironmentState {
        try validateEnvironmentName(environment)
        return try await queue.run { [self] in try readDocument(environment).state }
    }

    @discardableResult
    public func update(
        environment: String,
        _ change: @escaping @Sendable (inout EnvironmentState) throws -> [HistoryEntry]
    ) async throws -> EnvironmentState {
        try validateEnvironmentName(environment)
        return try await queue.run { [self] in
            try withExclusiveLock(environment) {
                var document = try readDocument(environment)
                try appendMissingHistory(document.pendingHistory, environment: environment)
                removeStaleTemporaryFiles(environment)

                var state = document.state
                var entries = try change(&state)
                for index in entries.indices {
                    state.historySequence += 1
                    entries[index].sequence = state.historySequence
                }
                state.generation += 1
                document = Document(state: state, pendingHistory: entries)

                try writeAtomically(ContractJSON.encoder().encode(document), to: documentURL(environment))
                // The change took effect at the rename above. A failed append (a full disk) does
                // not undo it: the entries stay pending in the document, where readers already
                // find them, and the next update appends them. Reporting "try again" here made
                // operators repeat a pin that had been made.
                do {
                    try appendMissingHistory(entries, environment: environment)
                } catch {
                    logger.warning(
                        "The change took effect; its history entry is pending in the document and is appended by the next update",
                        metadata: ["environment": "\(environment)", "error": "\(error)"])
                }
                return state
            }
        }
    }

    public func history(environment: String, limit: Int) async throws -> [HistoryEntry] {
        try validateEnvironmentName(environment)
        return try await queue.run { [self] in
            let document = try readDocument(environment)
            var entries = try readHistory(environment)
            let last = entries.last?.sequence ?? 0
            entries.append(contentsOf: document.pendingHistory.filter { $0.sequence > last })
            return Array(entries.reversed().prefix(max(0, limit)))
        }
    }

    // MARK: - Readiness

    /// Whether a write can land now: a probe file is created, written, synced and removed in the
    /// state folder (one attempt). What `/readyz` asks, so readiness fails while the disk is
    /// full or read-only instead of after the next action fails.
    public func probeWritable(environment: String, timeout: Duration) async throws {
        try await probes.run("the state folder \(directory.path)", timeout: timeout) { [self] in try await probeOnce() }
    }

    private func probeOnce() async throws {
        try await queue.run { [self] in
            let path = directory.appendingPathComponent(".probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw posixError("create a file in \(directory.path)") }
            defer {
                close(fd)
                unlink(path)
            }
            // A block's worth, so a disk with inodes but no space left fails here too.
            try writeAll(fd, Data(repeating: 0, count: 4096))
            guard fsync(fd) == 0 else { throw posixError("fsync \(path)") }
        }
    }

    // MARK: - Paths

    func documentURL(_ environment: String) -> URL { directory.appendingPathComponent("\(environment).json") }
    func historyURL(_ environment: String) -> URL { directory.appendingPathComponent("\(environment).history.jsonl") }
    private func lockURL(_ environment: String) -> URL { directory.appendingPathComponent("\(environment).lock") }

    // MARK: - Document

    private func readDocument(_ environment: String) throws -> Document {
        let url = documentURL(environment)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch CocoaError.fileReadNoSuchFile {
            return Document(state: EnvironmentState(), pendingHistory: [])
        } catch let error as NSError where error.domain == NSPOSIXErrorDomain && error.code == Int(ENOENT) {
            return Document(state: EnvironmentState(), pendingHistory: [])
        }
        do {
            return try ContractJSON.decoder().decode(Document.self, from: data)
        } catch {
            throw StateStoreError(.corrupt, "\(url.path) cannot be decoded (\(error)); it was left as it is for inspection")
        }
    }

    /// temp file -> fsync -> rename -> fsync(directory).
    private func writeAtomically(_ data: Data, to url: URL) throws {
        let temporary = url.path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw posixError("open \(temporary)") }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do {
            try writeAll(fd, data)
            guard fsync(fd) == 0 else { throw posixError("fsync \(temporary)") }
            closed = true
            guard close(fd) == 0 else { throw posixError("close \(temporary)") }
            guard rename(temporary, url.path) == 0 else { throw posixError("rename \(temporary)") }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory()
    }

    private func syncDirectory() throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError("open \(directory.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw posixError("fsync \(directory.path)") }
    }

    /// Temp files left by a writer that was killed between `open` and `rename`. Only called with
    /// the environment's lock held, when no other writer can be half-way through.
    private func removeStaleTemporaryFiles(_ environment: String) {
        let prefix = "\(environment).json.tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            unlink(directory.appendingPathComponent(name).path)
        }
    }

    // MARK: - History

    /// Appends the entries the history file does not have yet (by sequence number), first cutting
    /// off a final line that a crash left incomplete.
    private func appendMissingHistory(_ entries: [HistoryEntry], environment: String) throws {
        guard !entries.isEmpty else { return }
        let url = historyURL(environment)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw posixError("open \(url.path)") }
        defer { close(fd) }

        let (lastSequence, validLength) = try lastCompleteEntry(fd)
        let size = lseek(fd, 0, SEEK_END)
        if size > validLength {
            logger.warning("Cut an incomplete final history line", metadata: ["file": "\(url.lastPathComponent)"])
            guard ftruncate(fd, validLength) == 0 else { throw posixError("ftruncate \(url.path)") }
        }
        let missing = entries.filter { $0.sequence > lastSequence }
        guard !missing.isEmpty else { return }
        var data = Data()
        let encoder = ContractJSON.encoder()
        for entry in missing {
            data.append(try encoder.encode(entry))
            data.append(UInt8(ascii: "\n"))
        }
        guard lseek(fd, validLength, SEEK_SET) == validLength else { throw posixError("lseek \(url.path)") }
        try writeAll(fd, data)
        guard fsync(fd) == 0 else { throw posixError("fsync \(url.path)") }
    }

    /// The sequence of the last complete line, and the byte length up to and including its
    /// newline. Reads only the tail of the file.
    private func lastCompleteEntry(_ fd: Int32) throws -> (sequence: Int64, length: off_t) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return (0, 0) }
        var window: off_t = 64 * 1024
        while true {
            let start = max(0, size - window)
            var buffer = [UInt8](repeating: 0, count: Int(size - start))
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, start) }
            guard count == buffer.count else { throw posixError("pread history") }
            // The last newline ends the last complete line; the one before it starts that line.
            guard let end = buffer.lastIndex(of: UInt8(ascii: "\n")) else {
                if start == 0 { return (0, 0) }
                window *= 4
                continue
            }
            let lineStart = buffer[..<end].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }
            if lineStart == nil && start > 0 {
                window *= 4
                continue
            }
            let line = Data(buffer[(lineStart ?? 0)..<end])
            let entry = try decodeHistoryLine(line)
            return (entry.sequence, start + off_t(end) + 1)
        }
    }

    private func readHistory(_ environment: String) throws -> [HistoryEntry] {
        let url = historyURL(environment)
        // Only a regular file is read: a device in its place (`/dev/zero`) would never end.
        var status = stat()
        guard stat(url.path, &status) == 0 else { return [] }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw StateStoreError(.corrupt, "\(url.path) is not a regular file; it was left as it is for inspection")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        var entries: [HistoryEntry] = []
        var lineStart = data.startIndex
        while let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = data[lineStart..<newline]
            if !line.isEmpty { entries.append(try decodeHistoryLine(Data(line))) }
            lineStart = data.index(after: newline)
        }
        // Bytes after the last newline are an append cut short by a crash; the next update
        // completes it from the document's pending entries.
        return entries
    }

    private func decodeHistoryLine(_ line: Data) throws -> HistoryEntry {
        do {
            return try ContractJSON.decoder().decode(HistoryEntry.self, from: line)
        } catch {
            throw StateStoreError(.corrupt, "a history line cannot be decoded: \(error)")
        }
    }

    // MARK: - Locking and syscalls

    private func withExclusiveLock<Result>(_ environment: String, _ body: () throws -> Result) throws -> Result {
        let path = lockURL(environment).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw posixError("open \(path)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw posixError("flock \(path)") }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func writeAll(_ fd: Int32, _ data: Data) throws {
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw posixError("write")
                }
                offset += written
            }
        }
    }

    /// The one place errno becomes a Swift error for this backend. The message names the errno
    /// (`ENOSPC`, `EROFS`), so a full or read-only disk is recognisable in the log and the answer.
    private func posixError(_ operation: String) -> StateStoreError {
        let code = errno
        let reason = String(cString: strerror(code))
        let retryable = [ENOSPC, EIO, EAGAIN, EDQUOT, EROFS].contains(code)
        let name = Self.errnoName(code).map { "\($0): " } ?? ""
        return StateStoreError(retryable ? .unavailable : .invalidConfiguration, "\(operation): \(name)\(reason)")
    }

    /// The symbolic names an operator searches for.
    static func errnoName(_ code: Int32) -> String? {
        switch code {
        case ENOSPC: "ENOSPC"
        case EROFS: "EROFS"
        case EDQUOT: "EDQUOT"
        case EIO: "EIO"
        case EACCES: "EACCES"
        case EPERM: "EPERM"
        case EAGAIN: "EAGAIN"
        case ENOENT: "ENOENT"
        default: nil
        }
    }
}
