import Foundation
import RedisClient
import Testing

@Suite struct RedisScriptTests {
    @Test func unknownScriptIsLoadedOnNoScriptAndThenCached() async throws {
        let redis = try await RedisTest.connect()
        let prefix = RedisTest.uniquePrefix()
        // A body unique to this run, so the server cannot know it yet (SCRIPT FLUSH would be global).
        let script = RedisScript("-- \(UUID().uuidString)\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])")
        #expect(try await redis.command(["SCRIPT", "EXISTS", .string(script.sha1)]) == .array([.integer(0)]))

        let first = try await script.run(on: redis, keys: [.string(prefix + "n")], arguments: [5])
        #expect(first == .integer(5))
        // The NOSCRIPT path loaded it under the SHA-1 this module computed.
        #expect(try await redis.command(["SCRIPT", "EXISTS", .string(script.sha1)]) == .array([.integer(1)]))
        let second = try await script.run(on: redis, keys: [.string(prefix + "n")], arguments: [2])
        #expect(second == .integer(7))
    }

    @Test func scriptErrorsAreServerErrors() async throws {
        let redis = try await RedisTest.connect()
        let script = RedisScript("-- \(UUID().uuidString)\nreturn redis.error_reply('BOOM went the script')")
        let error = await #expect(throws: RedisError.self) {
            try await script.run(on: redis)
        }
        #expect(error?.code == .server)
        #expect(error?.message.contains("BOOM went the script") == true)
    }

    @Test func scriptsReturnArraysAndNil() async throws {
        let redis = try await RedisTest.connect()
        let script = RedisScript("-- \(UUID().uuidString)\nreturn {1, 'two', false}")
        // Lua false becomes a nil bulk reply; a nil inside a table ends the table in Lua.
        #expect(try await script.run(on: redis) == .array([.integer(1), .string(Array("two".utf8)), .null]))
    }
}
