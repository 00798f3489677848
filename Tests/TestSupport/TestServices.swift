import Foundation

/// The throwaway servers that `make test` (scripts/with-test-services.sh) starts for the suite.
///
/// Why a throw rather than a skip: a suite that silently skips its Redis and PostgreSQL tests
/// when the servers are missing passes while testing nothing, so missing infrastructure fails
/// the test with a message that says how to provide it.
public enum TestServices {
    public static func redisURL() throws -> String {
        try required("CLIPNET_TEST_REDIS_URL", what: "a Redis server")
    }

    public static func postgresURL() throws -> String {
        try required("CLIPNET_TEST_POSTGRES_URL", what: "a PostgreSQL server")
    }

    /// The folder holding the servers' data, logs and sockets (used by tests that restart Redis).
    public static func servicesDirectory() throws -> String {
        try required("CLIPNET_TEST_SERVICES_DIR", what: "the test services folder")
    }

    /// The arguments redis-server was started with, so a test can restart it in place.
    public static func redisServerArguments() throws -> String {
        try required("CLIPNET_TEST_REDIS_CONF", what: "the redis-server arguments")
    }

    private static func required(_ name: String, what: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw MissingTestInfrastructure(variable: name, what: what)
        }
        return value
    }
}

/// Thrown by tests whose infrastructure is missing; the message says how to run them.
public struct MissingTestInfrastructure: Error, CustomStringConvertible {
    public let variable: String
    public let what: String

    public var description: String {
        "this test needs \(what), but \(variable) is not set: run the suite with `make test` "
            + "(or `bash scripts/with-test-services.sh swift test`), which starts throwaway servers on loopback"
    }
}
