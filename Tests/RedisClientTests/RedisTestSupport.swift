import Foundation
import RedisClient
import TestSupport

/// Shared set-up for the Redis tests: a connection to the throwaway server and a key prefix of
/// the test's own, since tests run in parallel against one server.
enum RedisTest {
    static func connect(options: RedisConnection.Options = RedisConnection.Options()) async throws -> RedisConnection {
        try await RedisConnection.connect(to: try TestServices.redisURL(), options: options)
    }

    static func serverURL() throws -> RedisURL {
        try RedisURL(parsing: try TestServices.redisURL())
    }

    static func uniquePrefix() -> String {
        "clipnet-test:\(UUID().uuidString):"
    }
}
