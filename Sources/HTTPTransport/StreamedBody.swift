import Foundation

/// Reads an `HTTPBodyStream` for libcurl's read callback, one piece per call.
///
/// Not `Sendable`: opened on a lane's queue and used only by libcurl's callbacks during one
/// transfer on that queue. Files are opened when the reader is made (so their sizes, and the
/// Content-Length, are fixed then) and closed in `deinit`, on every path.
final class BodyReader {
    private enum Source {
        case bytes([UInt8])
        case file(descriptor: Int32, size: Int64)
    }

    private var sources: [Source] = []
    private(set) var length: Int64 = 0
    private var index = 0
    /// Offset inside `sources[index]`.
    private var offset: Int64 = 0
    private(set) var sent: Int64 = 0
    private(set) var largestChunk = 0
    /// Why the last read failed (a file that shrank or could not be read); the transfer is aborted.
    private(set) var failure: String?

    private init() {}

    deinit {
        for case .file(let descriptor, _) in sources { close(descriptor) }
    }

    /// Opens every file of `stream` and takes its size.
    static func open(_ stream: HTTPBodyStream) throws(HTTPTransportError) -> BodyReader {
        let reader = BodyReader()
        for segment in stream.segments {
            switch segment {
            case .bytes(let bytes):
                reader.sources.append(.bytes(bytes))
                reader.length += Int64(bytes.count)
            case .file(let path):
                let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else {
                    throw HTTPTransportError(.invalidRequest, "cannot read the request body file \(path): \(String(cString: strerror(errno)))")
                }
                var info = stat()
                guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                    close(descriptor)
                    throw HTTPTransportError(.invalidRequest, "the request body file \(path) is not a regular file")
                }
                // Appended at once so that `deinit` closes it, whatever fails later.
                reader.sources.append(.file(descriptor: descriptor, size: Int64(info.st_size)))
                reader.length += Int64(info.st_size)
            }
        }
        return reader
    }

    /// Fills as much of `buffer` as the body has left; 0 at the end, nil when a file failed.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        guard let base = buffer.baseAddress else { return 0 }
        var filled = 0
        while filled < buffer.count, index < sources.count {
            switch sources[index] {
            case .bytes(let bytes):
                let count = min(bytes.count - Int(offset), buffer.count - filled)
                if count <= 0 {
                    advance()
                    continue
                }
                bytes.withUnsafeBytes { source in
                    (base + filled).copyMemory(from: source.baseAddress! + Int(offset), byteCount: count)
                }
                offset += Int64(count)
                filled += count
            case .file(let descriptor, let size):
                let wanted = Int(min(size - offset, Int64(buffer.count - filled)))
                if wanted <= 0 {
                    advance()
                    continue
                }
                let got = pread(descriptor, base + filled, wanted, off_t(offset))
                if got < 0 && errno == EINTR { continue }
                if got < 0 {
                    failure = "reading the request body failed: \(String(cString: strerror(errno)))"
                    return nil
                }
                if got == 0 {
                    failure = "a request body file became shorter while it was sent"
                    return nil
                }
                offset += Int64(got)
                filled += got
            }
        }
        sent += Int64(filled)
        largestChunk = max(largestChunk, filled)
        return filled
    }

    /// Back to the start (libcurl sends the request again on a fresh connection).
    func rewind() {
        index = 0
        offset = 0
        sent = 0
    }

    private func advance() {
        index += 1
        offset = 0
    }
}

/// Writes a response body to a file as libcurl hands it over, within a size limit.
///
/// Not `Sendable`, for the same reason as `BodyReader`. The file is created (or truncated) with
/// mode 0600 when the sink is made; the owner (`Lane.performStreaming`) removes it after any
/// failure or an answer other than 2xx.
final class FileSink {
    let path: String
    let limit: Int64
    private var descriptor: Int32
    private(set) var written: Int64 = 0
    private(set) var largestChunk = 0
    /// Set when a write would have gone past `limit`; the transfer is then aborted.
    private(set) var exceededLimit = false
    /// errno of a failed write (a full disk); the transfer is then aborted.
    private(set) var writeError: Int32?

    private init(path: String, limit: Int64, descriptor: Int32) {
        self.path = path
        self.limit = limit
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    static func create(path: String, limit: Int64) throws(HTTPTransportError) -> FileSink {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw HTTPTransportError(.other, "cannot create the download file \(path): \(String(cString: strerror(errno)))")
        }
        return FileSink(path: path, limit: limit, descriptor: descriptor)
    }

    /// Writes all of `bytes`; false (abort the transfer) past the limit or when the write fails.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard written + Int64(bytes.count) <= limit else {
            exceededLimit = true
            return false
        }
        guard let base = bytes.baseAddress else { return true }
        var done = 0
        while done < bytes.count {
            let count = Glibc.write(descriptor, base + done, bytes.count - done)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                writeError = errno
                return false
            }
            done += count
        }
        written += Int64(bytes.count)
        largestChunk = max(largestChunk, bytes.count)
        return true
    }

    /// Closes the file; false when closing reports an error (data that did not reach the disk).
    func finish() -> Bool {
        guard descriptor >= 0 else { return true }
        let closed = close(descriptor) == 0
        if !closed { writeError = errno }
        descriptor = -1
        return closed
    }
}
