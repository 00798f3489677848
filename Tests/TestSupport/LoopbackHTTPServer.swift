import Foundation
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 for tests of HTTP clients, on plain POSIX sockets.
///
/// It binds port 0 (a free port), accepts on a thread of its own and serves each connection on
/// another, with keep-alive. A handler closure scripts each answer: respond, respond after a
/// delay, close the connection without answering, or hang (never answer). It records every request
/// and counts accepted connections, so tests can check what a client really sent and whether it
/// reused connections. A response with a `Connection: close` header is followed by a close, as is
/// any response to a request that asked for it. Request bodies need a Content-Length (chunked uploads are refused with 411).
public final class LoopbackHTTPServer: Sendable {
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Request: Sendable {
        public let method: String
        /// The request target as sent, e.g. `/v13/deployments?teamId=t`.
        public let path: String
        public let headers: [Header]
        public let body: [UInt8]

        /// The first value of header `name`, case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public func headerValues(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    public struct Response: Sendable {
        public var status: Int
        public var headers: [Header]
        public var body: [UInt8]

        /// Content-Length is added by the server; do not include it.
        public init(status: Int = 200, headers: [Header] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        /// Whether the handler asked for `Connection: close`: the server then closes after sending.
        var closesConnection: Bool {
            headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased() == "close" }
        }

        public static func text(_ text: String, status: Int = 200) -> Response {
            Response(status: status, headers: [Header("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
        }

        public static func json(_ json: String, status: Int = 200) -> Response {
            Response(status: status, headers: [Header("Content-Type", "application/json")], body: Array(json.utf8))
        }
    }

    public enum Reply: Sendable {
        case respond(Response)
        case respondAfter(Duration, Response)
        /// Close the connection without sending anything.
        case closeConnection
        /// Never answer; the connection stays open until the client gives up or `stop()`.
        case hang
    }

    public typealias Handler = @Sendable (Request) -> Reply

    /// The bound port on 127.0.0.1.
    public let port: Int
    private let core: Core

    /// Starts serving at once.
    public init(handler: @escaping Handler) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 128) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard ready else {
            let code = errno
            close(listener)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        core = Core(listener: listener, handler: handler)
        let core = self.core
        Thread.detachNewThread { core.acceptLoop() }
    }

    deinit {
        core.stop()
    }

    /// `http://127.0.0.1:<port>`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { core.state.withLock { $0.requests } }

    /// Connections accepted so far.
    public var acceptedConnections: Int { core.state.withLock { $0.accepted } }

    /// Stops accepting and closes every open connection (hanging ones included).
    public func stop() {
        core.stop()
    }

    // MARK: - The threads' shared state

    /// What the accept and connection threads share; the threads hold it, not the server, so the
    /// server's deinit can stop them.
    private final class Core: Sendable {
        struct State {
            var stopped = false
            var requests: [Request] = []
            var accepted = 0
            /// Open connection descriptors; a thread removes its own before closing it, so `stop()`
            /// never shuts down a descriptor number that was closed and reused.
            var open: Set<Int32> = []
        }

        let listener: Int32
        let handler: Handler
        let state = Mutex(State())

        init(listener: Int32, handler: @escaping Handler) {
            self.listener = listener
            self.handler = handler
        }

        func stop() {
            state.withLock { state in
                guard !state.stopped else { return }
                state.stopped = true
                // shutdown wakes the threads blocked in accept() and recv(); each closes its own descriptor.
                shutdown(listener, Int32(SHUT_RDWR))
                for descriptor in state.open { shutdown(descriptor, Int32(SHUT_RDWR)) }
            }
        }

        var isStopped: Bool { state.withLock { $0.stopped } }

        func acceptLoop() {
            defer { close(listener) }
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return  // shut down by stop(), or the listener failed
                }
                let admitted = state.withLock { state -> Bool in
                    guard !state.stopped else { return false }
                    state.accepted += 1
                    state.open.insert(connection)
                    return true
                }
                guard admitted else {
                    close(connection)
                    return
                }
                Thread.detachNewThread { [self] in serve(connection) }
            }
        }

        private func serve(_ connection: Int32) {
            defer {
                state.withLock { _ = $0.open.remove(connection) }
                close(connection)
            }
            var reader = RequestReader(descriptor: connection)
            while let request = reader.next() {
                state.withLock { $0.requests.append(request) }
                let wantsClose = request.header("Connection")?.lowercased() == "close"
                switch handler(request) {
                case .respond(let response):
                    let closing = wantsClose || response.closesConnection
                    guard send(response, closing: closing, on: connection), !closing else { return }
                case .respondAfter(let delay, let response):
                    Thread.sleep(forTimeInterval: Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
                    let closing = wantsClose || response.closesConnection
                    guard !isStopped, send(response, closing: closing, on: connection), !closing else { return }
                case .closeConnection:
                    return
                case .hang:
                    reader.drainUntilClosed()
                    return
                }
            }
            if reader.failedWithoutLength {
                _ = send(Response(status: 411), closing: true, on: connection)
            }
        }

        private func send(_ response: Response, closing: Bool, on connection: Int32) -> Bool {
            var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            for header in response.headers { head += "\(header.name): \(header.value)\r\n" }
            head += "Content-Length: \(response.body.count)\r\n"
            if closing, !response.closesConnection { head += "Connection: close\r\n" }
            head += "\r\n"
            return Self.write(Array(head.utf8), to: connection) && Self.write(response.body, to: connection)
        }

        private static func write(_ bytes: [UInt8], to connection: Int32) -> Bool {
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeBytes { buffer in
                    Glibc.send(connection, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return false }
                offset += sent
            }
            return true
        }

        private static func reason(_ status: Int) -> String {
            switch status {
            case 200: "OK"
            case 201: "Created"
            case 204: "No Content"
            case 400: "Bad Request"
            case 401: "Unauthorized"
            case 404: "Not Found"
            case 411: "Length Required"
            case 429: "Too Many Requests"
            case 500: "Internal Server Error"
            case 503: "Service Unavailable"
            default: "Status"
            }
        }
    }
}

/// Reads HTTP/1.1 requests one after another from a connection.
private struct RequestReader {
    let descriptor: Int32
    private var buffer: [UInt8] = []
    /// Set when a request had a body without Content-Length (chunked), which this server refuses.
    private(set) var failedWithoutLength = false
    private static let headerLimit = 64 * 1024

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next request, or nil when the peer closed, the connection failed or the request is malformed.
    mutating func next() -> LoopbackHTTPServer.Request? {
        var headerEnd: Int?
        while true {
            headerEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headerEnd != nil || buffer.count > Self.headerLimit { break }
            guard receive() else { return nil }
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [LoopbackHTTPServer.Header] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(
                .init(
                    String(line[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                ))
        }
        let headerValue = { (name: String) in headers.first { $0.name.lowercased() == name }?.value }
        if headerValue("transfer-encoding") != nil {
            failedWithoutLength = true
            return nil
        }
        let length = Int(headerValue("content-length") ?? "0") ?? -1
        guard length >= 0 else { return nil }
        let bodyStart = headerEnd + 4
        while buffer.count < bodyStart + length {
            guard receive() else { return nil }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return .init(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    /// Reads and discards until the peer closes or the connection is shut down.
    mutating func drainUntilClosed() {
        while receive() { buffer.removeAll(keepingCapacity: true) }
    }

    private mutating func receive() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[..<count])
            return true
        }
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for start in 0...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
        }
        return nil
    }
}
