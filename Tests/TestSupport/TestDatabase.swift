import Foundation

/// Throwaway databases on the test PostgreSQL server, made through `psql` (an independent
/// client), so tests that need an empty store never share one.
public enum TestDatabase {
    /// Creates an empty database; drop it with `drop`.
    public static func create(prefix: String = "fresh") throws -> (name: String, url: String) {
        let name = prefix + "_" + UUID().uuidString.prefix(8).lowercased()
        try psql("CREATE DATABASE \(name)")
        var components = URLComponents(string: try TestServices.postgresURL())!
        components.path = "/" + name
        return (name, components.string!)
    }

    public static func drop(_ name: String) throws {
        try psql("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    private static func psql(_ sql: String) throws {
        try ChildProcess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", try TestServices.postgresURL(), "-c", sql])
    }
}
