import Foundation
import Synchronization

/// A loopback TCP proxy in front of the test PostgreSQL that, once armed, lets one COMMIT
/// reach the server and then cuts the connection before the client hears the answer.
///
/// Why: that is the one failure where a client cannot know whether its write landed (the
/// server committed; the client saw the connection drop). No server-side trick produces it
/// deterministically, so the test puts the network failure in between.
final class CommitDroppingProxy: Sendable {
    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let armed = Mutex(false)
    private let drops = Mutex(0)

    /// How many COMMIT answers were swallowed.
    var dropped: Int { drops.withLock { $0 } }

    init(upstreamPort: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard ok else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.upstreamPort = upstreamPort
        self.listener = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The next COMMIT's answer is swallowed and its connection cut.
    func arm() {
        armed.withLock { $0 = true }
    }

    /// Stops accepting; connections already open end when their peers close them.
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: upstreamPort)
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(client)
                close(server)
                continue
            }
            Thread { [self] in pump(from: client, to: server, watchForCommit: false) }.start()
            Thread { [self] in pump(from: server, to: client, watchForCommit: true) }.start()
        }
    }

    /// Copies bytes until either side closes. Server-to-client traffic is scanned for the
    /// CommandComplete of a COMMIT (`C`, length, `COMMIT\0`).
    private func pump(from source: Int32, to destination: Int32, watchForCommit: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let marker = Array("COMMIT\0".utf8)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            let chunk = buffer[0..<count]
            if watchForCommit, chunk.firstRange(of: marker) != nil,
                armed.withLock({ armed in
                    defer { armed = false }
                    return armed
                })
            {
                drops.withLock { $0 += 1 }
                break
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + offset, count - offset) }
                guard written > 0 else { break }
                offset += written
            }
        }
        shutdown(source, Int32(SHUT_RDWR))
        shutdown(destination, Int32(SHUT_RDWR))
        close(source)
        close(destination)
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }
}
