import Foundation

/// Whether the status server's address can be bound, checked before anything else starts, so a
/// busy port is one clear line and exit 1 instead of a set-up that hangs or a raw
/// "bind(descriptor:ptr:bytes:): Address already in use (errno: 98)".
public enum ListenCheck {
    /// nil when `host:port` can be bound now (port 0 always can); otherwise what is wrong.
    public static func problem(host: String, port: Int) -> String? {
        guard port != 0 else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            return "cannot listen on \(host):\(port): \(host) is not an address of this machine"
        }
        defer { freeaddrinfo(first) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 else { return nil }
        switch errno {
        case EADDRINUSE: return "\(host):\(port) is already in use by another process"
        case EACCES: return "\(host):\(port) needs privileges to bind (ports below 1024)"
        case EADDRNOTAVAIL: return "cannot listen on \(host):\(port): not an address of this machine"
        default: return "cannot listen on \(host):\(port): \(String(cString: strerror(errno)))"
        }
    }
}
