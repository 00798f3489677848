/// How long and how many connections the operator server keeps, so a slow, idle or hostile client
/// cannot hold descriptors for ever (the daemon runs for months under a descriptor limit).
public struct ConnectionLimits: Sendable, Hashable {
    /// A connection with no request in progress is closed after this long.
    public var idleTimeout: Duration
    /// A request's head and body must arrive within this long (408 otherwise), however slowly
    /// the bytes trickle in.
    public var requestTimeout: Duration
    /// After an answer sent before the request's end (413, 401, a parse error), how long what
    /// the client still sends is read and discarded before the connection is closed both ways.
    public var lingerTimeout: Duration
    /// Connections served at once; more wait in the listen backlog.
    public var maximumConnections: Int
    /// Largest request head (request line and headers), in bytes (431 above it).
    public var maximumHeaderSize: Int

    public static let defaults = ConnectionLimits(
        idleTimeout: .seconds(60), requestTimeout: .seconds(30), lingerTimeout: .seconds(2), maximumConnections: 256,
        maximumHeaderSize: 32 * 1024)

    public init(idleTimeout: Duration, requestTimeout: Duration, lingerTimeout: Duration, maximumConnections: Int, maximumHeaderSize: Int) {
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.lingerTimeout = lingerTimeout
        self.maximumConnections = max(1, maximumConnections)
        self.maximumHeaderSize = max(1024, maximumHeaderSize)
    }
}
