import Foundation
import PostgresClient
import TestSupport
import Testing

/// Lost sessions, unreachable servers, and passwords kept out of errors.
@Suite struct PostgresConnectionFailureTests {
    @Test func aTerminatedSessionGivesARetryableConnectionErrorAndANewConnectionWorks() async throws {
        let victim = try await connect()
        let killer = try await connect()
        let terminated = try await killer.query("SELECT pg_terminate_backend($1) AS ok", [String(victim.backendProcessID)])
        #expect(try terminated.first?.bool("ok") == true)

        let error = try await #require(throws: PostgresError.self) { try await victim.query("SELECT 1") }
        #expect(error.code == .connection)
        #expect(error.isRetryable)
        #expect(await !victim.isConnected)
        // Every later call fails the same way, without touching the dead socket.
        let again = try await #require(throws: PostgresError.self) { try await victim.query("SELECT 1") }
        #expect(again.code == .connection)

        let replacement = try await connect()
        #expect(try await replacement.query("SELECT 1 AS one").first?["one"] == "1")
    }

    @Test func aSessionLostInsideATransactionFailsTheTransactionRetryably() async throws {
        let victim = try await connect()
        let killer = try await connect()
        let error = try await #require(throws: PostgresError.self) {
            try await victim.transaction { transaction in
                try await killer.execute("SELECT pg_terminate_backend($1)", [String(transaction.backendProcessID)])
                try await transaction.execute("SELECT 1")
            }
        }
        #expect(error.code == .connection)
        #expect(error.isRetryable)
    }

    @Test func aClosedPortGivesARetryableConnectionError() async throws {
        let url = try serverURL(port: try UnusedLoopbackPort.make())
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(url: url, options: .init(connectTimeout: .seconds(2)))
        }
        #expect(error.code == .connection)
        #expect(error.isRetryable)
        #expect(error.message.contains("127.0.0.1"))
    }

    @Test func aPasswordNeverAppearsInAnError() async throws {
        let password = "Hunter2-s3cret"
        let closedPort = try UnusedLoopbackPort.make()
        let attempts = [
            // Nobody listening.
            try serverURL(password: password, port: closedPort),
            // The real server, refusing the session: no such database.
            try serverURL(password: password, database: "no_such_database"),
            // The password as a URL query parameter.
            try serverURL(database: "no_such_database") + "?password=\(password)",
            // Key/value conninfo, quoted and bare.
            "host=127.0.0.1 port=\(closedPort) user=postgres password='\(password)' dbname=postgres",
            "host=127.0.0.1 port=\(closedPort) password=\(password)",
            // A malformed URL that libpq rejects while parsing.
            "postgresql://postgres:\(password)@127.0.0.1:notaport/postgres",
        ]
        for url in attempts {
            let error = try await #require(throws: PostgresError.self) {
                try await PostgresConnection.connect(url: url, options: .init(connectTimeout: .seconds(2)))
            }
            #expect(!"\(error)".contains(password), "\(error)")
            #expect(!error.message.contains(password))
            #expect(error.code == .connection)
        }
    }

    @Test func connectionStringsAreRedactedForLogs() {
        #expect(PostgresConnectionString.redacted("postgresql://rec:hunter2@db:5432/state") == "postgresql://rec:***@db:5432/state")
        #expect(PostgresConnectionString.redacted("postgres://rec@db/state") == "postgres://rec@db/state")
        #expect(PostgresConnectionString.redacted("postgres://rec:p@ss?w#rd@db/state") == "postgres://rec:***@db/state")
        #expect(
            PostgresConnectionString.redacted("postgres://db/state?user=rec&password=x1&sslmode=require")
                == "postgres://db/state?user=rec&password=***&sslmode=require")
        #expect(PostgresConnectionString.redacted("host=db password='a b\\'c' user=rec") == "host=db password=*** user=rec")
        #expect(PostgresConnectionString.redacted("host=db password = plain user=rec") == "host=db password = *** user=rec")
    }

    @Test func serializationFailuresAndDeadlocksAreRetryableOtherQueryErrorsAreNot() {
        #expect(PostgresError(.query, sqlState: PostgresSQLState.serializationFailure, message: "").isRetryable)
        #expect(PostgresError(.query, sqlState: PostgresSQLState.deadlockDetected, message: "").isRetryable)
        #expect(PostgresError(.query, sqlState: "08006", message: "").isRetryable)
        #expect(!PostgresError(.query, sqlState: PostgresSQLState.uniqueViolation, message: "").isRetryable)
        #expect(!PostgresError(.unexpectedResult, message: "").isRetryable)
    }
}
