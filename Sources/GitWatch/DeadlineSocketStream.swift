internal import CGit2
import Foundation
import Glibc

/// The socket stream libgit2 uses for every network fetch of this process (plain TCP, and the
/// socket under its TLS and SSH transports), registered once by `GitRuntime`.
///
/// It behaves like libgit2's own socket stream, except that connect, read and write wait with
/// `poll` against the deadline of the fetch running on the calling thread (`FetchNetworkScope`),
/// and each descriptor is registered with that fetch so a watchdog can shut it down. libgit2 1.5
/// has no network timeout, so without this a silent remote blocks a fetch forever.
enum DeadlineSocketStream {
    /// Makes libgit2 create its standard sockets through this stream. Process-wide; idempotent.
    static func register() throws {
        var registration = git_stream_registration()
        registration.version = 1  // GIT_STREAM_VERSION
        registration.`init` = streamInit
        registration.wrap = nil
        try check(git_stream_register(GIT_STREAM_STANDARD, &registration), "git_stream_register")
    }

    fileprivate static func stream(_ pointer: UnsafeMutablePointer<git_stream>?) -> UnsafeMutablePointer<cgit2_socket_stream>? {
        pointer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: cgit2_socket_stream.self) }
    }

    fileprivate static func scope(of stream: UnsafeMutablePointer<cgit2_socket_stream>) -> FetchNetworkScope? {
        stream.pointee.scope.map { Unmanaged<FetchNetworkScope>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Sets libgit2's error (read by `GitError.lastError` on this thread) and returns -1.
    fileprivate static func fail(_ message: String) -> Int32 {
        git_error_set_str(Int32(GIT_ERROR_NET.rawValue), message)
        return -1
    }

    static let deadlineMessage = "the fetch did not finish before its deadline"

    /// Waits until `socket` is ready for `events`; false (libgit2's error set) when the deadline
    /// passes, the fetch is abandoned, or poll fails.
    fileprivate static func wait(_ socket: Int32, for events: Int16, scope: FetchNetworkScope?) -> Bool {
        while true {
            if scope?.isAbandoned == true {
                _ = fail("the fetch was abandoned")
                return false
            }
            let timeout = scope?.pollTimeoutMilliseconds() ?? -1
            if timeout == 0 {
                _ = fail(deadlineMessage)
                return false
            }
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let ready = poll(&descriptor, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                _ = fail("poll failed: \(String(cString: strerror(errno)))")
                return false
            }
            if ready == 0 { continue }  // the loop re-reads the clock and reports the deadline
            if scope?.isAbandoned == true {
                _ = fail("the fetch was abandoned")
                return false
            }
            return true
        }
    }

    /// Connects to the first address of `host:port` that answers before the deadline.
    fileprivate static func connect(_ stream: UnsafeMutablePointer<cgit2_socket_stream>) -> Int32 {
        let scope = scope(of: stream)
        guard let host = stream.pointee.host, let port = stream.pointee.port else { return fail("no host to connect to") }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        // Name resolution cannot be interrupted; the watchdog in `GitMirror.fetch` abandons a
        // fetch stuck here.
        let resolved = getaddrinfo(host, port, &hints, &list)
        guard resolved == 0 else {
            return fail("failed to resolve address for \(String(cString: host)): \(String(cString: gai_strerror(resolved)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "failed to connect to \(String(cString: host))"
        var entry = list
        while let address = entry {
            entry = address.pointee.ai_next
            let socket = Glibc.socket(
                address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.ai_protocol)
            guard socket >= 0 else { continue }
            if let scope, !scope.register(socket) {
                _ = Glibc.close(socket)
                return fail("the fetch was abandoned")
            }
            let flags = fcntl(socket, F_GETFL, 0)
            _ = fcntl(socket, F_SETFL, flags | O_NONBLOCK)
            var connected = Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0
            if !connected && errno == EINPROGRESS {
                if wait(socket, for: Int16(POLLOUT), scope: scope) {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
                    connected = error == 0
                    if !connected { lastError = "failed to connect to \(String(cString: host)): \(String(cString: strerror(error)))" }
                } else {
                    closeSocket(socket, scope: scope)
                    return -1  // deadline or abandoned: the error is set
                }
            } else if !connected {
                lastError = "failed to connect to \(String(cString: host)): \(String(cString: strerror(errno)))"
            }
            guard connected else {
                closeSocket(socket, scope: scope)
                continue
            }
            // Blocking again for libssh2, which drives the descriptor itself; reads and writes
            // here use MSG_DONTWAIT and poll.
            _ = fcntl(socket, F_SETFL, flags & ~O_NONBLOCK)
            stream.pointee.s = socket
            return 0
        }
        git_error_set_str(Int32(GIT_ERROR_OS.rawValue), lastError)
        return -1
    }

    fileprivate static func closeSocket(_ socket: Int32, scope: FetchNetworkScope?) {
        if let scope { scope.close(socket) } else { _ = Glibc.close(socket) }
    }

    fileprivate static func read(_ stream: UnsafeMutablePointer<cgit2_socket_stream>, _ buffer: UnsafeMutableRawPointer?, _ length: Int) -> Int {
        let scope = scope(of: stream)
        let socket = stream.pointee.s
        while true {
            let received = recv(socket, buffer, length, Int32(MSG_DONTWAIT))
            if received >= 0 { return received }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else {
                return Int(fail("error receiving data from socket: \(String(cString: strerror(errno)))"))
            }
            guard wait(socket, for: Int16(POLLIN), scope: scope) else { return -1 }
        }
    }

    fileprivate static func write(_ stream: UnsafeMutablePointer<cgit2_socket_stream>, _ data: UnsafePointer<CChar>?, _ length: Int) -> Int {
        let scope = scope(of: stream)
        let socket = stream.pointee.s
        var sent = 0
        while sent < length {
            let result = send(socket, data.map { UnsafeRawPointer($0) + sent }, length - sent, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            if result >= 0 {
                sent += result
                continue
            }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK else {
                return Int(fail("error sending data to socket: \(String(cString: strerror(errno)))"))
            }
            guard wait(socket, for: Int16(POLLOUT), scope: scope) else { return -1 }
        }
        return sent
    }

    fileprivate static func close(_ stream: UnsafeMutablePointer<cgit2_socket_stream>) -> Int32 {
        let socket = stream.pointee.s
        guard socket >= 0 else { return 0 }
        stream.pointee.s = -1
        closeSocket(socket, scope: scope(of: stream))
        return 0
    }

    fileprivate static func free(_ stream: UnsafeMutablePointer<cgit2_socket_stream>) {
        if stream.pointee.s >= 0 { _ = close(stream) }
        Glibc.free(stream.pointee.host)
        Glibc.free(stream.pointee.port)
        if let scope = stream.pointee.scope { Unmanaged<FetchNetworkScope>.fromOpaque(scope).release() }
        stream.deallocate()
    }
}

// MARK: The C entry points (no captures, so they convert to C function pointers)

private let streamInit:
    @convention(c) (
        UnsafeMutablePointer<UnsafeMutablePointer<git_stream>?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?
    ) -> Int32 = { out, host, port in
        guard let out, let host else { return DeadlineSocketStream.fail("no host to connect to") }
        let stream = UnsafeMutablePointer<cgit2_socket_stream>.allocate(capacity: 1)
        stream.initialize(to: cgit2_socket_stream())
        stream.pointee.parent.version = 1  // GIT_STREAM_VERSION
        stream.pointee.parent.encrypted = 0
        stream.pointee.parent.proxy_support = 0
        stream.pointee.parent.connect = streamConnect
        stream.pointee.parent.read = streamRead
        stream.pointee.parent.write = streamWrite
        stream.pointee.parent.close = streamClose
        stream.pointee.parent.free = streamFree
        stream.pointee.host = strdup(host)
        stream.pointee.port = port.map { strdup($0) } ?? strdup("80")
        stream.pointee.s = -1
        stream.pointee.scope = FetchNetworkScope.current.map { UnsafeMutableRawPointer(Unmanaged.passRetained($0).toOpaque()) }
        out.pointee = UnsafeMutableRawPointer(stream).assumingMemoryBound(to: git_stream.self)
        return 0
    }

private let streamConnect: @convention(c) (UnsafeMutablePointer<git_stream>?) -> Int32 = { pointer in
    guard let stream = DeadlineSocketStream.stream(pointer) else { return -1 }
    return DeadlineSocketStream.connect(stream)
}

private let streamRead: @convention(c) (UnsafeMutablePointer<git_stream>?, UnsafeMutableRawPointer?, Int) -> Int = { pointer, buffer, length in
    guard let stream = DeadlineSocketStream.stream(pointer) else { return -1 }
    return DeadlineSocketStream.read(stream, buffer, length)
}

private let streamWrite: @convention(c) (UnsafeMutablePointer<git_stream>?, UnsafePointer<CChar>?, Int, Int32) -> Int = { pointer, data, length, _ in
    guard let stream = DeadlineSocketStream.stream(pointer) else { return -1 }
    return DeadlineSocketStream.write(stream, data, length)
}

private let streamClose: @convention(c) (UnsafeMutablePointer<git_stream>?) -> Int32 = { pointer in
    guard let stream = DeadlineSocketStream.stream(pointer) else { return -1 }
    return DeadlineSocketStream.close(stream)
}

private let streamFree: @convention(c) (UnsafeMutablePointer<git_stream>?) -> Void = { pointer in
    guard let stream = DeadlineSocketStream.stream(pointer) else { return }
    DeadlineSocketStream.free(stream)
}
