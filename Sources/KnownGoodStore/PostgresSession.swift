import PostgresClient

/// The PostgreSQL backend's one session: opened on first use, dropped when it is found dead,
/// and opened again by the next call (the store's retry loop paces that with `Backoff`).
///
/// One session is enough: the store's work is short transactions on one row per environment,
/// and `PostgresConnection` queues callers first come, first served.
actor PostgresSession {
    private let url: String
    private let options: PostgresConnection.Options
    /// `set_config` pairs applied to every new session (timeouts).
    private let settings: [(name: String, value: String)]
    private var connection: PostgresConnection?
    /// A connect in progress, shared by every caller that arrives meanwhile.
    private var opening: Task<PostgresConnection, any Error>?
    private var closed = false

    init(url: String, options: PostgresConnection.Options, settings: [(name: String, value: String)] = []) {
        self.url = url
        self.options = options
        self.settings = settings
    }

    func current() async throws -> PostgresConnection {
        if closed { throw StateStoreError(.unavailable, "the store was closed") }
        if let connection { return connection }
        if let opening { return try await opening.value }
        let task = Task { [url, options, settings] in
            let connection = try await PostgresConnection.connect(url: url, options: options)
            do {
                try await Self.apply(settings, to: connection)
            } catch {
                await connection.close()
                throw error
            }
            return connection
        }
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

    /// Sets the session's timeouts in one statement (`set_config(name, value, false)`: for the
    /// whole session, not only the current transaction).
    static func apply(_ settings: [(name: String, value: String)], to connection: PostgresConnection) async throws {
        guard !settings.isEmpty else { return }
        let calls = settings.indices.map { "set_config($\($0 * 2 + 1)::text, $\($0 * 2 + 2)::text, false)" }
        _ = try await connection.query("SELECT " + calls.joined(separator: ", "), settings.flatMap { [$0.name, $0.value] })
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
