internal import CHiredis
import Glibc

/// Owns one hiredis `redisContext*` (a blocking TCP connection) and frees it in `deinit`.
///
/// Not `Sendable`: it lives inside `RedisConnection`'s state box and is only ever used from that
/// connection's `SerialBlockingQueue`, which gives hiredis the one-thread-at-a-time access it needs.
/// Every hiredis failure becomes a `RedisError` in `lastError`, read immediately after the failing
/// call, on the same thread (hiredis' `err`/`errstr`, plus `errno` to tell a timeout apart).
final class RedisContext {
    private let raw: UnsafeMutablePointer<redisContext>
    /// AUTH's password, scrubbed from any message this context produces.
    private let secret: String?

    private init(raw: UnsafeMutablePointer<redisContext>, secret: String?) {
        self.raw = raw
        self.secret = secret
    }

    deinit {
        redisFree(raw)
    }

    /// Connects, sets the command timeout, then AUTH and SELECT; frees the context on any failure.
    static func connect(
        to url: RedisURL,
        connectTimeout: Duration,
        commandTimeout: Duration,
        clientName: String?
    ) throws(RedisError) -> RedisContext {
        guard let raw = redisConnectWithTimeout(url.host, Int32(url.port), makeTimeval(connectTimeout)) else {
            throw RedisError(.connection, "\(url): could not allocate a hiredis context")
        }
        // From here the context object owns `raw`, so every throw below frees it in deinit.
        let context = RedisContext(raw: raw, secret: url.password)
        if raw.pointee.err != 0 {
            let error = context.lastError()
            throw RedisError(.connection, "\(url): \(error.message)")
        }
        try context.setTimeout(commandTimeout)
        do throws(RedisError) {
            if let password = url.password {
                var auth: [RedisArgument] = ["AUTH"]
                if let user = url.username { auth.append(RedisArgument(user)) }
                auth.append(RedisArgument(password))
                _ = try context.command(auth)
            }
        } catch  where error.code == .server {
            throw RedisError(.authentication, "\(url): AUTH was refused: \(error.message)")
        }
        do throws(RedisError) {
            if url.database != 0 { _ = try context.command(["SELECT", RedisArgument(url.database)]) }
        } catch  where error.code == .server {
            throw RedisError(.authentication, "\(url): SELECT \(url.database) was refused: \(error.message)")
        }
        if let clientName { _ = try context.command(["CLIENT", "SETNAME", RedisArgument(clientName)]) }
        return context
    }

    /// True once hiredis has flagged an error: the context cannot be used again and must be discarded.
    var isBroken: Bool { raw.pointee.err != 0 }

    /// Sets the socket read/write timeout for the following commands (SO_RCVTIMEO/SO_SNDTIMEO).
    func setTimeout(_ timeout: Duration) throws(RedisError) {
        if redisSetTimeout(raw, makeTimeval(timeout)) != REDIS_OK {
            throw lastError(fallback: "could not set the socket timeout")
        }
    }

    /// Whether the server closed this idle connection (or sent something unasked): checked before
    /// each call so that a connection killed while idle (server restart, CLIENT KILL, idle timeout)
    /// is replaced before a command is sent on it, rather than failing that command.
    var peerHasClosed: Bool {
        var descriptor = pollfd(fd: raw.pointee.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        return ready != 0  // readable, hung up, or a poll error: in every case not a usable idle connection
    }

    /// Sends one command and reads its reply; a server error reply is thrown as `.server`.
    func command(_ arguments: [RedisArgument]) throws(RedisError) -> RedisReply {
        let reply = try withArgv(arguments) { argc, argv, lengths in
            redisCommandArgv(raw, argc, argv, lengths)
        }
        guard let reply else { throw lastError() }
        return try take(reply).checked()
    }

    /// Appends every command to the output buffer, then reads all replies: one round trip.
    /// Error replies stay in the result as `.error`; an I/O failure throws and breaks the context.
    func pipeline(_ commands: [[RedisArgument]]) throws(RedisError) -> [RedisReply] {
        for arguments in commands {
            let status = try withArgv(arguments) { argc, argv, lengths in
                redisAppendCommandArgv(raw, argc, argv, lengths)
            }
            if status != REDIS_OK { throw lastError(fallback: "could not append a command") }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var reply: UnsafeMutableRawPointer?
            if redisGetReply(raw, &reply) != REDIS_OK || reply == nil { throw lastError() }
            replies.append(take(reply!))
        }
        return replies
    }

    /// The choke point: turns hiredis' error state (and errno) into a `RedisError`, scrubbed.
    private func lastError(fallback: String = "no reply") -> RedisError {
        let savedErrno = errno
        let code = raw.pointee.err
        let text = String(cString: CHiredis_errstr(raw)).scrubbing(secret)
        let message = text.isEmpty ? fallback : text
        switch code {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || savedErrno == ETIMEDOUT:
            return RedisError(.timeout, "no reply within the command timeout (\(message))")
        case REDIS_ERR_IO, REDIS_ERR_EOF:
            return RedisError(.connection, message)
        case REDIS_ERR_PROTOCOL, REDIS_ERR_OOM:
            return RedisError(.protocolError, message)
        case 0:
            return RedisError(.protocolError, message)
        default:
            return RedisError(.connection, message)
        }
    }

    /// Copies a reply tree into Swift values and frees it.
    private func take(_ pointer: UnsafeMutableRawPointer) -> RedisReply {
        defer { freeReplyObject(pointer) }
        return Self.copy(pointer.assumingMemoryBound(to: redisReply.self))
    }

    private static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisReply {
        let value = reply.pointee
        switch value.type {
        case REDIS_REPLY_STRING:
            guard let str = value.str else { return .string([]) }
            return .string(Array(UnsafeRawBufferPointer(start: str, count: value.len)))
        case REDIS_REPLY_STATUS:
            return .status(text(value))
        case REDIS_REPLY_ERROR:
            return .error(text(value))
        case REDIS_REPLY_INTEGER:
            return .integer(value.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                if let element = value.element[index] { elements.append(copy(element)) } else { elements.append(.null) }
            }
            return .array(elements)
        default:  // REDIS_REPLY_NIL
            return .null
        }
    }

    private static func text(_ value: redisReply) -> String {
        guard let str = value.str else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: str, count: value.len), as: UTF8.self)
    }

    /// Lays the arguments out in one contiguous buffer and hands hiredis pointers and lengths into
    /// it: three allocations per command however many arguments, and no NUL-termination (binary-safe).
    private func withArgv<Result>(
        _ arguments: [RedisArgument],
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) throws(RedisError) -> Result {
        guard !arguments.isEmpty else { throw RedisError(.invalidArgument, "a command needs at least one argument") }
        var storage: [UInt8] = []
        storage.reserveCapacity(arguments.reduce(0) { $0 + $1.bytes.count })
        var lengths: [Int] = []
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            storage.append(contentsOf: argument.bytes)
            lengths.append(argument.bytes.count)
        }
        storage.append(0)  // never empty, so the buffer always has a base address
        return storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(arguments.count)
            var offset = 0
            for length in lengths {
                pointers.append((base + offset).assumingMemoryBound(to: CChar.self))
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { lens in
                    body(Int32(arguments.count), argv.baseAddress!, lens.baseAddress!)
                }
            }
        }
    }
}

/// A `struct timeval` for hiredis' connect and socket timeouts.
private func makeTimeval(_ duration: Duration) -> timeval {
    let (seconds, attoseconds) = duration.components
    let microseconds = attoseconds / 1_000_000_000_000
    return Glibc.timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, microseconds)))
}
