import Foundation
import Glibc
import Synchronization

/// A loopback TCP server that accepts connections, reads what it is sent, and never answers:
/// the remote that made a libgit2 1.5 fetch hang forever.
final class SilentTCPServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let state = Mutex<(accepted: Int, connections: [Int32], stopped: Bool)>((0, [], false))

    init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Connections accepted so far.
    var accepted: Int { state.withLock { $0.accepted } }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }  // the listener was shut down
            let keep = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.accepted += 1
                state.connections.append(connection)
                return true
            }
            guard keep else {
                close(connection)
                return
            }
        }
    }

    func stop() {
        let connections = state.withLock { state -> [Int32] in
            state.stopped = true
            return state.connections
        }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for connection in connections { close(connection) }
    }
}
