import Foundation
import PostgresClient
import Testing

/// Statements, results and transactions against the real throwaway server.
@Suite struct PostgresConnectionTests {
    @Test func parametersTravelApartFromTheStatementSoQuotesAndNullsSurvive() async throws {
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (id int PRIMARY KEY, value text)")
        let values: [String?] = [
            nil, "", "héllo wörld 🌍 日本語", "it's", "Robert'); DROP TABLE \(table); --", "\\x00 \\ backslash", "$1",
        ]
        for (id, value) in values.enumerated() {
            let inserted = try await connection.execute("INSERT INTO \(table) (id, value) VALUES ($1, $2)", [String(id), value])
            #expect(inserted == 1)
        }
        let rows = try await connection.query("SELECT id, value FROM \(table) ORDER BY id")
        #expect(rows.map { $0["value"] } == values)
        #expect(try rows.map { try $0.int64("id") } == Array(0..<Int64(values.count)))
        // The injection attempt stayed a value: the table is still there.
        let count = try await connection.query("SELECT count(*) AS n FROM \(table)")
        #expect(try count.first?.int64("n") == Int64(values.count))
        let echoed = try await connection.query("SELECT $1::text IS NULL AS is_null, $2::text AS quoted", [nil, "'; SELECT 1; --"])
        #expect(try echoed.first?.bool("is_null") == true)
        #expect(echoed.first?["quoted"] == "'; SELECT 1; --")
    }

    @Test func resultsCarryColumnNamesCommandTagsAndCounts() async throws {
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (id int, name text)")
        let insert = try await connection.query("INSERT INTO \(table) VALUES (1, 'a'), (2, 'b'), (3, NULL)")
        #expect(insert.commandTag == "INSERT 0 3")
        #expect(insert.affectedRows == 3)
        #expect(try await connection.execute("UPDATE \(table) SET name = 'z' WHERE id >= 2") == 2)
        let rows = try await connection.query("SELECT id, name, id * 10 AS tenfold FROM \(table) ORDER BY id")
        #expect(rows.columns == ["id", "name", "tenfold"])
        #expect(rows.count == 3)
        #expect(rows[0].values == ["1", "a", "10"])
        #expect(rows[2]["tenfold"] == "30")
        #expect(rows[0]["missing"] == nil)
        #expect(throws: PostgresError.self) { try rows[0].string("missing") }
        let empty = try await connection.query("SELECT id FROM \(table) WHERE false")
        #expect(empty.isEmpty)
        #expect(empty.columns == ["id"])
    }

    @Test func aSyntaxErrorIsAQueryErrorWithItsSQLState() async throws {
        let connection = try await connect()
        let error = try await #require(throws: PostgresError.self) { try await connection.query("SELEC 1") }
        #expect(error.code == .query)
        #expect(error.sqlState == PostgresSQLState.syntaxError)
        #expect(!error.isRetryable)
        #expect(error.message.contains("syntax error"))
        #expect("\(error)".contains("42601"))
        // The session is still usable after a failed statement.
        #expect(try await connection.query("SELECT 1 AS one").first?["one"] == "1")
    }

    @Test func aUniqueViolationIsAQueryErrorWithItsSQLState() async throws {
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (id int PRIMARY KEY)")
        try await connection.execute("INSERT INTO \(table) VALUES ($1)", ["7"])
        let error = try await #require(throws: PostgresError.self) {
            try await connection.execute("INSERT INTO \(table) VALUES ($1)", ["7"])
        }
        #expect(error.code == .query)
        #expect(error.sqlState == PostgresSQLState.uniqueViolation)
        #expect(!error.isRetryable)
        #expect(error.detail?.contains("already exists") == true)
    }

    @Test func aTransactionIsRolledBackWhenItsBodyThrows() async throws {
        struct Abandon: Error {}
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (id int)")
        await #expect(throws: Abandon.self) {
            try await connection.transaction { transaction in
                try await transaction.execute("INSERT INTO \(table) VALUES (1), (2)")
                #expect(try await transaction.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 2)
                throw Abandon()
            }
        }
        #expect(try await connection.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 0)
        // And the session is out of the transaction: a new one commits normally.
        try await connection.transaction { try await $0.execute("INSERT INTO \(table) VALUES (3)") }
        #expect(try await connection.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 1)
    }

    @Test func aCommittedTransactionIsVisibleToAnotherSession() async throws {
        let connection = try await connect()
        let other = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TABLE \(table) (id int)")
        let returned = try await connection.transaction { transaction in
            try await transaction.execute("INSERT INTO \(table) VALUES (1)")
            // Not visible to the other session before COMMIT.
            #expect(try await other.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 0)
            return "done"
        }
        #expect(returned == "done")
        #expect(try await other.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 1)
        try await other.execute("DROP TABLE \(table)")
    }

    @Test func aTransactionWhoseStatementFailedDoesNotPretendToCommit() async throws {
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (id int PRIMARY KEY)")
        let error = try await #require(throws: PostgresError.self) {
            try await connection.transaction { transaction in
                try await transaction.execute("INSERT INTO \(table) VALUES (1)")
                // The caller swallows a failed statement; the server has aborted the transaction.
                _ = try? await transaction.execute("INSERT INTO \(table) VALUES (1)")
            }
        }
        #expect(error.message.contains("rolled back"))
        #expect(try await connection.query("SELECT count(*) AS n FROM \(table)").first?.int64("n") == 0)
    }

    @Test func concurrentTransactionsOnOneConnectionDoNotInterleave() async throws {
        let connection = try await connect()
        let table = uniqueTableName()
        try await connection.execute("CREATE TEMP TABLE \(table) (n int)")
        try await connection.execute("INSERT INTO \(table) VALUES (0)")
        let tasks = 20
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    try await connection.transaction { transaction in
                        // A read, a pause and a write: another task's statements landing in
                        // between (or a nested BEGIN) would lose increments.
                        let n = try await transaction.query("SELECT n FROM \(table)").first!.int64("n")
                        await Task.yield()
                        try await transaction.execute("UPDATE \(table) SET n = $1", [String(n + 1)])
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await connection.query("SELECT n FROM \(table)").first?.int64("n") == Int64(tasks))
    }

    @Test func aNULByteIsRefusedRatherThanCutShort() async throws {
        let connection = try await connect()
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT $1::text", ["before\u{0}after"])
        }
        #expect(error.code == .invalidParameter)
        #expect(!error.isRetryable)
    }

    @Test func aClosedConnectionRefusesFurtherWork() async throws {
        let connection = try await connect()
        #expect(await connection.isConnected)
        await connection.close()
        #expect(await !connection.isConnected)
        let error = try await #require(throws: PostgresError.self) { try await connection.query("SELECT 1") }
        #expect(error.code == .closed)
        #expect(!error.isRetryable)
    }

    @Test func theApplicationNameIsSentToTheServer() async throws {
        let name = "clipnet-test-" + uniqueTableName()
        let connection = try await connect(options: .init(applicationName: name))
        let rows = try await connection.query("SELECT current_setting('application_name') AS name, pg_backend_pid() AS pid")
        #expect(rows.first?["name"] == name)
        #expect(try rows.first?.int64("pid") == Int64(connection.backendProcessID))
    }
}
