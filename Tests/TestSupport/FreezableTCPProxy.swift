import Foundation
import Synchronization

/// A TCP forwarder on 127.0.0.1 in front of a server (PostgreSQL, Redis) that a test can freeze
/// or stop without touching the server other tests share.
///
/// - `freeze()`: connections stay open and new ones are accepted, but no byte moves in either
///   direction: what a server stopped with SIGSTOP, or a network that silently drops, looks like.
/// - `thaw()`: bytes move again.
/// - `stop()`: every connection is closed and new ones are refused (a stopped server).
///
/// Plain POSIX sockets on threads of their own, so a frozen proxy never blocks Swift's
/// cooperative pool.
public final class FreezableTCPProxy: Sendable {
    public let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let state = Mutex(State())

    private struct State {
        var frozen = false
        var stopped = false
        var sockets: Set<Int32> = []
    }

    /// Listens on a free loopback port and forwards to `127.0.0.1:upstreamPort`.
    public init(upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProxyError("socket: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ProxyError("bind/listen: errno \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: actual.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `url` with its host and port replaced by this proxy's (`postgres://u@127.0.0.1:5432/db`).
    public func routing(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.host = "127.0.0.1"
        components.port = port
        return components.string ?? url
    }

    public func freeze() { state.withLock { $0.frozen = true } }
    public func thaw() { state.withLock { $0.frozen = false } }

    /// Closes every connection and the listener; nothing is forwarded any more.
    /// Idempotent: the listener is closed exactly once (a second `close` of its number would
    /// close whatever another test opened since under the same number).
    public func stop() {
        let first = state.withLock { state -> (Bool, Set<Int32>) in
            defer { state.stopped = true }
            return (!state.stopped, state.sockets)
        }
        for fd in first.1 { shutdown(fd, Int32(SHUT_RDWR)) }
        guard first.0 else { return }
        // The accept thread closes the listener once `accept` fails, so no other thread can
        // be inside `accept` on a number that was closed and reused.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0, !state.withLock({ $0.stopped }) else {
                if client < 0, errno == EINTR { continue }
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped, connected == 0 else { return false }
                state.sockets.formUnion([client, upstream])
                return true
            }
            guard admitted else {
                close(client)
                close(upstream)
                continue
            }
            let pair = Pair()
            Thread { [self] in pump(from: client, to: upstream, pair) }.start()
            Thread { [self] in pump(from: upstream, to: client, pair) }.start()
        }
    }

    /// The two pumps of one connection: the second to end closes both descriptors.
    private final class Pair: Sendable {
        private let ended = Mutex(0)
        func end() -> Bool {
            ended.withLock {
                $0 += 1
                return $0 == 2
            }
        }
    }

    /// Copies bytes until either side closes; holds them while frozen.
    private func pump(from source: Int32, to destination: Int32, _ pair: Pair) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        defer {
            shutdown(destination, Int32(SHUT_WR))
            if pair.end() {
                state.withLock { $0.sockets.subtract([source, destination]) }
                close(source)
                close(destination)
            }
        }
        while true {
            while state.withLock({ $0.frozen && !$0.stopped }) { usleep(10_000) }
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { return }
            while state.withLock({ $0.frozen && !$0.stopped }) { usleep(10_000) }
            var sent = 0
            while sent < count {
                let written = buffer[sent..<count].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

public struct ProxyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
