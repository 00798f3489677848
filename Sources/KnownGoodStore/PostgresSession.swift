import PostgresClient

/// The PostgreSQL backend's one session: opened on first use, dropped when it is found dead,
/// and opened again by the next call (the store's retry loop paces that with `Backoff`).
///
/// One session is enough: the store's work is short transactions on one row per environment,
/// and `PostgresConnection` queues callers first come, first served.
actor PostgresSession {
    private let url: String
    private let options: PostgresConnection.Options
    private var connection: PostgresConnection?
    /// A connect in progress, shared by every caller that arrives meanwhile.
    private var opening: Task<PostgresConnection, any Error>?
    private var closed = false

    init(url: String, options: PostgresConnection.Options) {
        self.url = url
        self.options = options
    }

    func current() async throws -> PostgresConnection {
        if closed { throw StateStoreError(.unavailable, "the store was closed") }
        if let connection { return connection }
        if let opening { return try await opening.value }
        let task = Task { [url, options] in try await PostgresConnection.connect(url: url, options: options) }
        opening = task
        defer { opening = nil }
        let opened = try await task.value
        if closed {
            await opened.close()
            throw StateStoreError(.unavailable, "the store was closed")
        }
        connection = opened
        return opened
    }

    /// Forgets `dead` (if it is still the current session) so the next call opens a new one.
    func discard(_ dead: PostgresConnection) async {
        guard connection === dead else { return }
        connection = nil
        await dead.close()
    }

    func close() async {
        closed = true
        let last = connection
        connection = nil
        await last?.close()
    }
}
