public import AsyncPrimitives
public import Logging

/// One Redis connection, safe to share between tasks: commands from concurrent callers run one at
/// a time, in call order per caller, on the connection's own serial queue.
///
/// Each `command` or `pipeline` is one hop to that queue, never a blocking call on Swift's
/// cooperative pool. When a call fails with a broken connection (`.connection`, `.timeout`) the
/// hiredis context is discarded and the next call reconnects, retrying the connect with `Backoff`
/// up to `Options.connectAttempts` times. A command that failed is never re-sent by this type:
/// whether it ran on the server is unknown, so retrying is the caller's decision.
///
/// Calls are not cancellable once on the queue (a blocking hiredis call cannot be interrupted);
/// the command timeout bounds them.
public final class RedisConnection: Sendable {
    public struct Options: Sendable {
        /// Bound on establishing the TCP connection.
        public var connectTimeout: Duration
        /// Bound on each command's reply; override per call for blocking commands.
        public var commandTimeout: Duration
        /// Connect attempts per call before a `.connection` error is thrown (at least 1).
        public var connectAttempts: Int
        /// Delay between connect attempts.
        public var reconnectBackoff: Backoff
        /// Sent as `CLIENT SETNAME` on connect, so `CLIENT LIST` shows who is connected.
        public var clientName: String?

        public init(
            connectTimeout: Duration = .seconds(5),
            commandTimeout: Duration = .seconds(5),
            connectAttempts: Int = 3,
            reconnectBackoff: Backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2)),
            clientName: String? = nil
        ) {
            self.connectTimeout = connectTimeout
            self.commandTimeout = commandTimeout
            self.connectAttempts = max(1, connectAttempts)
            self.reconnectBackoff = reconnectBackoff
            self.clientName = clientName
        }
    }

    /// The server address; its description is redacted and safe to log.
    public let url: RedisURL
    public let options: Options
    private let queue: SerialBlockingQueue
    private let state = State()
    private let logger: Logger

    /// Holds the current hiredis context, if any.
    ///
    /// `@unchecked Sendable`: `context` is read and written only inside work items on the owning
    /// connection's `SerialBlockingQueue`, which runs them one at a time.
    private final class State: @unchecked Sendable {
        var context: RedisContext?
    }

    /// A failure to (re)connect, before any command was sent: safe to retry after a backoff.
    private struct ConnectFailure: Error {
        let error: RedisError
    }

    /// A connection that connects on its first call. Prefer `connect(to:options:logger:)`, which
    /// surfaces a wrong address or password at once.
    public init(url: RedisURL, options: Options = Options(), logger: Logger = RedisConnection.silentLogger) {
        self.url = url
        self.options = options
        self.queue = SerialBlockingQueue(label: "redis.connection")
        var logger = logger
        logger[metadataKey: "redis.url"] = "\(url)"
        self.logger = logger
    }

    /// Parses `url`, connects (AUTH, SELECT) and returns the connection.
    /// - Throws: `RedisError` (`.invalidURL`, `.unsupported`, `.connection`, `.authentication`).
    public static func connect(
        to url: String,
        options: Options = Options(),
        logger: Logger = RedisConnection.silentLogger
    ) async throws -> RedisConnection {
        let connection = RedisConnection(url: try RedisURL(parsing: url), options: options, logger: logger)
        _ = try await connection.perform(timeout: nil) { _ in () }
        return connection
    }

    /// Sends one command and returns its reply; an error reply throws `RedisError(.server)`.
    /// - Parameters:
    ///   - arguments: the command and its arguments, sent as bytes (binary-safe).
    ///   - timeout: replaces the command timeout for this call; give blocking commands (BLMOVE,
    ///     BLPOP) more than their server-side block time.
    public func command(_ arguments: [RedisArgument], timeout: Duration? = nil) async throws -> RedisReply {
        try await perform(timeout: timeout) { context throws(RedisError) in try context.command(arguments) }
    }

    /// `command` for arguments that are all strings.
    public func command(_ arguments: [String], timeout: Duration? = nil) async throws -> RedisReply {
        try await command(arguments.map { RedisArgument($0) }, timeout: timeout)
    }

    /// Sends all commands in one write and reads all replies: one round trip, one queue hop.
    ///
    /// Error replies come back in place as `.error` (use `RedisReply.checked()`), because the other
    /// commands did run. Not a transaction: wrap in MULTI/EXEC for atomicity.
    public func pipeline(_ commands: [[RedisArgument]], timeout: Duration? = nil) async throws -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        return try await perform(timeout: timeout) { context throws(RedisError) in try context.pipeline(commands) }
    }

    /// Closes the connection now; a later call reconnects.
    public func close() async {
        _ = try? await queue.run { [state] in state.context = nil }
    }

    /// A logger that discards everything: the default when the caller passes none.
    public static let silentLogger = Logger(label: "clipnet.redis", factory: { _ in SwiftLogNoOpLogHandler() })

    // MARK: - Running work on the connection's queue

    private func perform<Result: Sendable>(
        timeout: Duration?,
        _ work: @escaping @Sendable (RedisContext) throws(RedisError) -> Result
    ) async throws -> Result {
        var failures = 0
        while true {
            do {
                return try await queue.run { [state, url, options, logger] in
                    let context = try Self.connectedContext(state: state, url: url, options: options, logger: logger)
                    defer {
                        if !context.isBroken, timeout != nil, (try? context.setTimeout(options.commandTimeout)) == nil {
                            state.context = nil
                        }
                        if context.isBroken {
                            // A broken hiredis context can never be used again (and after a timeout a
                            // late reply would be read as the answer to the next command).
                            state.context = nil
                        }
                    }
                    if let timeout { try context.setTimeout(timeout) }
                    return try work(context)
                }
            } catch let failure as ConnectFailure {
                failures += 1
                guard failure.error.isRetryable, failures < options.connectAttempts else { throw failure.error }
                logger.debug("redis connect failed; retrying", metadata: ["redis.error": "\(failure.error)"])
                try await Task.sleep(for: options.reconnectBackoff.delay(afterFailures: failures))
            }
        }
    }

    /// The live context, reconnecting when there is none or the server closed the idle one.
    /// Runs on the queue.
    private static func connectedContext(state: State, url: RedisURL, options: Options, logger: Logger) throws -> RedisContext {
        if let context = state.context {
            if !context.isBroken, !context.peerHasClosed { return context }
            state.context = nil
            logger.info("redis connection was closed by the server while idle; reconnecting")
        }
        do {
            let context = try RedisContext.connect(
                to: url,
                connectTimeout: options.connectTimeout,
                commandTimeout: options.commandTimeout,
                clientName: options.clientName
            )
            state.context = context
            return context
        } catch {
            throw ConnectFailure(error: error)
        }
    }
}
