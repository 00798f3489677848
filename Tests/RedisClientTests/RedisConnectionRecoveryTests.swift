import AsyncPrimitives
import Foundation
import RedisClient
import TestSupport
import Testing

/// Timeouts, refused and killed connections, and secrets in errors: what the worker's queue loop
/// and the reconciler's heartbeat reads rely on when Redis misbehaves.
@Suite struct RedisConnectionRecoveryTests {
    @Test func blockingMoveOnAnEmptyListReturnsNullAfterTheServerSideBlock() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        let reply = try await redis.command(
            ["BLMOVE", .string(prefix + "queue"), .string(prefix + "processing"), "RIGHT", "LEFT", 0.1],
            timeout: .seconds(5)
        )
        #expect(reply == .null)
    }

    @Test func blockingMoveReturnsTheMovedElement() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        _ = try await redis.command(["LPUSH", .string(prefix + "queue"), .bytes([1, 0, 2])])
        let reply = try await redis.command(
            ["BLMOVE", .string(prefix + "queue"), .string(prefix + "processing"), "RIGHT", "LEFT", 1],
            timeout: .seconds(5)
        )
        #expect(reply == .string([1, 0, 2]))
        #expect(try await redis.command(["LLEN", .string(prefix + "processing")]) == .integer(1))
    }

    @Test func clientSideTimeoutThrowsTimeoutAndTheNextCommandReconnects() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        let idBefore = try await redis.command(["CLIENT", "ID"]).integer
        let error = await #expect(throws: RedisError.self) {
            try await redis.command(["BLPOP", .string(prefix + "never"), 2], timeout: .milliseconds(200))
        }
        #expect(error?.code == .timeout)
        #expect(error?.isRetryable == true)
        #expect(try await redis.command(["PING"]) == .status("PONG"))
        let idAfter = try await redis.command(["CLIENT", "ID"]).integer
        #expect(idAfter != idBefore)  // a fresh connection, not the one with a late reply pending
    }

    @Test func perCallTimeoutDoesNotLeakIntoLaterCommands() async throws {
        let redis = try await RedisTest.connect(options: .init(commandTimeout: .milliseconds(300)))
        let prefix = RedisTest.uniquePrefix()
        // A longer per-call timeout lets a 0.5 s server-side block finish...
        #expect(try await redis.command(["BLPOP", .string(prefix + "a"), 0.5], timeout: .seconds(5)) == .null)
        // ...and afterwards the connection's own 300 ms timeout applies again.
        let error = await #expect(throws: RedisError.self) {
            try await redis.command(["BLPOP", .string(prefix + "b"), 2])
        }
        #expect(error?.code == .timeout)
    }

    @Test func connectionRefusedIsARetryableConnectionError() async throws {
        let port = try UnusedLoopbackPort.make()
        let options = RedisConnection.Options(connectAttempts: 2, reconnectBackoff: .init(initial: .milliseconds(10), maximum: .milliseconds(20)))
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(to: "redis://127.0.0.1:\(port)/0", options: options)
        }
        #expect(error?.code == .connection)
        #expect(error?.isRetryable == true)
        #expect(error?.message.contains("127.0.0.1:\(port)") == true)
    }

    @Test func reconnectsAfterTheServerKillsTheConnection() async throws {
        let redis = try await RedisTest.connect()
        let admin = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "k"
        _ = try await redis.command(["SET", .string(key), "before"])
        guard let id = try await redis.command(["CLIENT", "ID"]).integer else {
            Issue.record("CLIENT ID returned no integer")
            return
        }
        #expect(try await admin.command(["CLIENT", "KILL", "ID", RedisArgument(id)]) == .integer(1))

        #expect(try await redis.command(["GET", .string(key)]).string == "before")
        #expect(try await redis.command(["CLIENT", "ID"]).integer != id)
    }

    @Test func explicitCloseReconnectsOnTheNextCall() async throws {
        let redis = try await RedisTest.connect()
        await redis.close()
        #expect(try await redis.command(["PING"]) == .status("PONG"))
    }

    @Test func passwordNeverAppearsInErrors() async throws {
        let server = try RedisTest.serverURL()
        let canary = "canary-pw-7f3a9"
        for url in [
            "redis://:\(canary)@\(server.host):\(server.port)/0",
            "redis://clipnet:\(canary)@\(server.host):\(server.port)/0",
        ] {
            let error = await #expect(throws: RedisError.self) {
                try await RedisConnection.connect(to: url)
            }
            #expect(error?.code == .authentication)
            #expect(error?.isRetryable == false)
            for text in [error.map { "\($0)" }, error.map { String(reflecting: $0) }, error?.message, error?.localizedDescription] {
                #expect(text?.contains(canary) == false)
            }
        }
    }
}
