import RedisClient
import Testing

@Suite struct RedisCommandTests {
    @Test func binaryValuesRoundTripUnchanged() async throws {
        let redis = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "binary"
        let value: [UInt8] = [0x00, 0xFF, 0xFE, 0x0D, 0x0A, 0x00, 0xC3, 0x28, 0x80, 0x24]
        let set = try await redis.command(["SET", .string(key), .bytes(value)])
        #expect(set == .status("OK"))
        let get = try await redis.command(["GET", .string(key)])
        #expect(get == .string(value))
        #expect(get.bytes == value)
        // A key that itself holds NUL and invalid UTF-8 is a different key from its prefix.
        let binaryKey = Array(key.utf8) + [0x00, 0xFF]
        _ = try await redis.command(["SET", .bytes(binaryKey), "other"])
        #expect(try await redis.command(["GET", .bytes(binaryKey)]).string == "other")
        #expect(try await redis.command(["GET", .string(key)]) == .string(value))
    }

    @Test func emptyValueIsAnEmptyStringNotNull() async throws {
        let redis = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "empty"
        _ = try await redis.command(["SET", .string(key), ""])
        #expect(try await redis.command(["GET", .string(key)]) == .string([]))
    }

    @Test func integersArraysAndNullAreTyped() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        #expect(try await redis.command(["INCRBY", .string(prefix + "n"), 41]) == .integer(41))
        #expect(try await redis.command(["INCR", .string(prefix + "n")]).integer == 42)
        #expect(try await redis.command(["GET", .string(prefix + "n")]).integer == 42)
        #expect(try await redis.command(["GET", .string(prefix + "missing")]) == .null)
        #expect(try await redis.command(["GET", .string(prefix + "missing")]).isNull)

        _ = try await redis.command(["RPUSH", .string(prefix + "list"), "a", .bytes([0, 1]), "c"])
        let range = try await redis.command(["LRANGE", .string(prefix + "list"), 0, -1])
        #expect(range == .array([.string(Array("a".utf8)), .string([0, 1]), .string(Array("c".utf8))]))
        #expect(try await redis.command(["LRANGE", .string(prefix + "nolist"), 0, -1]) == .array([]))
        #expect(try await redis.command(["PING"]) == .status("PONG"))
    }

    @Test func stringArgumentsOverload() async throws {
        let redis = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "s"
        _ = try await redis.command(["SET", key, "héllo"])
        #expect(try await redis.command(["GET", key]).string == "héllo")
    }

    @Test func errorRepliesThrowServerErrors() async throws {
        let redis = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "list"
        _ = try await redis.command(["LPUSH", .string(key), "x"])
        let error = await #expect(throws: RedisError.self) {
            try await redis.command(["GET", .string(key)])
        }
        #expect(error?.code == .server)
        #expect(error?.serverErrorPrefix == "WRONGTYPE")
        #expect(error?.isRetryable == false)
        // The connection stays usable after a server error.
        #expect(try await redis.command(["PING"]) == .status("PONG"))
        let unknown = await #expect(throws: RedisError.self) {
            try await redis.command(["NOSUCHCOMMAND", "x"])
        }
        #expect(unknown?.code == .server)
    }

    @Test func emptyCommandIsRejectedBeforeSending() async throws {
        let redis = try await RedisTest.connect()
        let error = await #expect(throws: RedisError.self) {
            try await redis.command([RedisArgument]())
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await redis.command(["PING"]) == .status("PONG"))
    }

    @Test func pipelineSendsManyCommandsAndKeepsErrorRepliesInPlace() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        let count = 1_000
        var commands: [[RedisArgument]] = (0..<count).map { ["RPUSH", .string(prefix + "q"), RedisArgument($0)] }
        commands.append(["INCR", .string(prefix + "q")])  // WRONGTYPE: a list is not a counter
        commands.append(["LLEN", .string(prefix + "q")])
        let replies = try await redis.pipeline(commands)
        #expect(replies.count == count + 2)
        #expect(replies[0] == .integer(1))
        #expect(replies[count - 1] == .integer(Int64(count)))
        guard case .error(let message) = replies[count] else {
            Issue.record("expected an error reply, got \(replies[count])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
        #expect(throws: RedisError.self) { try replies[count].checked() }
        #expect(replies[count + 1] == .integer(Int64(count)))
        #expect(try await redis.pipeline([]) == [])
    }

    @Test func concurrentCallersShareOneConnection() async throws {
        let redis = try await RedisTest.connect()
        let key = RedisTest.uniquePrefix() + "counter"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    for _ in 0..<50 { _ = try await redis.command(["INCR", .string(key)]) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.command(["GET", .string(key)]).integer == 1_000)
    }

    @Test func selectsTheDatabaseOfTheURL() async throws {
        var url = try RedisTest.serverURL()
        url.database = 5
        let redis = RedisConnection(url: url)
        let key = RedisTest.uniquePrefix() + "db"
        _ = try await redis.command(["SET", .string(key), "five"])
        let clientInfo = try await redis.command(["CLIENT", "INFO"]).string ?? ""
        #expect(clientInfo.contains(" db=5 "))
        let other = try await RedisTest.connect()  // database 0
        #expect(try await other.command(["GET", .string(key)]) == .null)
        _ = try await redis.command(["DEL", .string(key)])
    }
}
