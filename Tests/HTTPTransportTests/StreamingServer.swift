import Foundation
import Synchronization

/// A loopback HTTP/1.1 server for the streaming tests that never holds a body either: it sends a
/// generated body block by block and checks a received one block by block, and while it does so
/// it samples this process's resident memory, so a test can see what the client held meanwhile.
///
/// One request per connection. It runs on threads of its own (accept and one per connection),
/// never on Swift's cooperative pool, so a client blocked on it cannot starve it.
final class StreamingServer: Sendable {
    enum Behaviour: Sendable {
        /// Answer 200 with `bytes` of `StreamPattern`, announced with Content-Length or sent chunked.
        case send(bytes: Int64, announced: Bool = true)
        /// Announce `announced` bytes, send the first `sent`, then close the connection.
        case closeAfter(sent: Int64, announced: Int64)
        /// Announce `announced` bytes, send the first `sent`, then send nothing more until `stop()`.
        case stallAfter(sent: Int64, announced: Int64)
        /// Answer with this status and body.
        case status(Int, String)
        /// Read the request body (Content-Length), check it against `StreamPattern`, answer 200
        /// with `{"bytes":N,"matches":true|false}`.
        case receive
    }

    struct Statistics: Sendable {
        /// Resident memory when the request arrived.
        var residentAtRequest: Int64 = 0
        /// The largest resident memory seen while the body moved (sampled every 4 MiB).
        var peakResident: Int64 = 0
        /// Body bytes sent (as far as the socket took them) or received.
        var bodyBytes: Int64 = 0
        /// Whether a received body matched the pattern.
        var matches = false
        var requests = 0

        /// How far resident memory rose above its level at the request while the body moved.
        var residentGrowth: Int64 { max(0, peakResident - residentAtRequest) }
    }

    let port: Int
    private let listener: Int32
    private let behaviour: Behaviour
    private let state = Mutex<(stats: Statistics, stopped: Bool, open: Set<Int32>)>((Statistics(), false, []))

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var statistics: Statistics { state.withLock { $0.stats } }

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Stops accepting and shuts every open connection down (a stalled one included).
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.open.insert(connection)
                return true
            }
            guard admitted else {
                close(connection)
                return
            }
            Thread.detachNewThread { [self] in
                serve(connection)
                state.withLock { _ = $0.open.remove(connection) }
                close(connection)
            }
        }
    }

    private func serve(_ connection: Int32) {
        guard let (head, leftover) = readHead(connection) else { return }
        state.withLock {
            $0.stats.requests += 1
            $0.stats.residentAtRequest = Self.residentBytes()
            $0.stats.peakResident = $0.stats.residentAtRequest
        }
        switch behaviour {
        case .send(let bytes, let announced):
            let header = announced ? "Content-Length: \(bytes)" : "Transfer-Encoding: chunked"
            guard write(connection, "HTTP/1.1 200 OK\r\n\(header)\r\nConnection: close\r\n\r\n") else { return }
            sendPattern(connection, upTo: bytes, chunked: !announced)
            if !announced { _ = write(connection, "0\r\n\r\n") }
        case .closeAfter(let sent, let announced):
            guard write(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(announced)\r\n\r\n") else { return }
            sendPattern(connection, upTo: sent, chunked: false)
        case .stallAfter(let sent, let announced):
            guard write(connection, "HTTP/1.1 200 OK\r\nContent-Length: \(announced)\r\n\r\n") else { return }
            sendPattern(connection, upTo: sent, chunked: false)
            var byte: UInt8 = 0
            while recv(connection, &byte, 1, 0) > 0 {}  // until the client gives up or stop()
        case .status(let status, let body):
            _ = write(
                connection,
                "HTTP/1.1 \(status) Status\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            )
        case .receive:
            let length = Int64(Self.header("content-length", in: head) ?? "") ?? 0
            let matches = receivePattern(connection, length: length, leftover: leftover)
            let answer = "{\"bytes\":\(statistics.bodyBytes),\"matches\":\(matches)}"
            _ = write(
                connection,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(answer.utf8.count)\r\nConnection: close\r\n\r\n\(answer)")
        }
    }

    /// Sends the pattern's first `limit` bytes, sampling resident memory every 4 MiB.
    private func sendPattern(_ connection: Int32, upTo limit: Int64, chunked: Bool) {
        var offset: Int64 = 0
        while offset < limit {
            let block = StreamPattern.block(at: offset)
            let count = Int(min(Int64(block.count), limit - offset))
            if chunked, !write(connection, String(count, radix: 16) + "\r\n") { return }
            guard block.withUnsafeBytes({ send(connection, $0.baseAddress!, count) }) else { return }
            if chunked, !write(connection, "\r\n") { return }
            offset += Int64(count)
            record(bodyBytes: offset, sample: offset % (4 << 20) == 0 || offset == limit)
        }
    }

    /// Reads `length` body bytes into a block-sized buffer and compares each full block with the pattern.
    private func receivePattern(_ connection: Int32, length: Int64, leftover: [UInt8]) -> Bool {
        var block = [UInt8](repeating: 0, count: StreamPattern.blockSize)
        var filled = 0
        var received: Int64 = 0
        var matches = true
        var incoming = [UInt8](repeating: 0, count: 64 << 10)
        var pending = leftover[...]
        while received < length {
            var chunk: ArraySlice<UInt8>
            if !pending.isEmpty {
                chunk = pending
                pending = []
            } else {
                let count = incoming.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                chunk = incoming[0..<count]
            }
            chunk = chunk.prefix(Int(min(Int64(chunk.count), length - received)))
            while !chunk.isEmpty {
                let take = min(chunk.count, block.count - filled)
                block.withUnsafeMutableBytes { target in
                    chunk.withUnsafeBytes { source in (target.baseAddress! + filled).copyMemory(from: source.baseAddress!, byteCount: take) }
                }
                filled += take
                chunk = chunk.dropFirst(take)
                if filled == block.count || received + Int64(take) == length {
                    let start = received + Int64(take) - Int64(filled)
                    matches = matches && StreamPattern.matches(block[0..<filled], at: start)
                    filled = 0
                }
                received += Int64(take)
                record(bodyBytes: received, sample: received % (4 << 20) == 0 || received == length)
            }
        }
        state.withLock { $0.stats.matches = matches && received == length }
        return matches && received == length
    }

    private func record(bodyBytes: Int64, sample: Bool) {
        let resident = sample ? Self.residentBytes() : 0
        state.withLock {
            $0.stats.bodyBytes = bodyBytes
            $0.stats.peakResident = max($0.stats.peakResident, resident)
        }
    }

    private func readHead(_ connection: Int32) -> (String, [UInt8])? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            if let end = buffer.firstRange(of: [13, 10, 13, 10]) {
                return (String(decoding: buffer[..<end.lowerBound], as: UTF8.self), Array(buffer[end.upperBound...]))
            }
            let count = chunk.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0, buffer.count < 64 << 10 else { return nil }
            buffer += chunk[0..<count]
        }
    }

    private func write(_ connection: Int32, _ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { send(connection, $0.baseAddress!, $0.count) }
    }

    private func send(_ connection: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Bool {
        var done = 0
        while done < count {
            let sent = Glibc.send(connection, base + done, count - done, Int32(MSG_NOSIGNAL))
            if sent < 0 && errno == EINTR { continue }
            guard sent > 0 else { return false }
            done += sent
        }
        return true
    }

    private static func header(_ name: String, in head: String) -> String? {
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == name { return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    /// This process's resident set size, from `/proc/self/statm`.
    static func residentBytes() -> Int64 {
        let descriptor = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return 0 }
        let fields = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return 0 }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }
}

/// The bytes the streaming tests move: 64 KiB blocks of fixed pseudo-random bytes, each starting
/// with its own index, so a block that is missing, repeated or out of place does not match.
enum StreamPattern {
    static let blockSize = 64 << 10

    private static let base: [UInt8] = {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<blockSize).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }()

    /// The block that starts at `offset` (a multiple of `blockSize`).
    static func block(at offset: Int64) -> [UInt8] {
        var block = base
        withUnsafeBytes(of: (offset / Int64(blockSize)).littleEndian) { index in
            for (position, byte) in index.enumerated() { block[position] = byte }
        }
        return block
    }

    /// Whether `bytes` are the pattern's bytes from `offset` on (`offset` a multiple of `blockSize`).
    static func matches(_ bytes: ArraySlice<UInt8>, at offset: Int64) -> Bool {
        let expected = block(at: offset)
        guard bytes.count <= expected.count else { return false }
        return bytes.withUnsafeBytes { actual in
            expected.withUnsafeBytes { memcmp(actual.baseAddress!, $0.baseAddress!, actual.count) == 0 }
        }
    }

    /// Writes the pattern's first `count` bytes to a new file at `path`, one block at a time.
    static func writeFile(_ path: String, count: Int64) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var offset: Int64 = 0
        while offset < count {
            let block = block(at: offset)
            let length = Int(min(Int64(block.count), count - offset))
            let written = block.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, length) }
            guard written == length else { throw POSIXError(.EIO) }
            offset += Int64(length)
        }
    }

    /// Whether the file at `path` holds exactly the pattern's first `count` bytes.
    static func fileMatches(_ path: String, count: Int64) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var offset: Int64 = 0
        while true {
            let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if got < 0 { return false }
            if got == 0 { return offset == count }
            // Reads of a regular file return whole blocks except at its end.
            guard matches(buffer[0..<got], at: offset) else { return false }
            offset += Int64(got)
        }
    }
}
