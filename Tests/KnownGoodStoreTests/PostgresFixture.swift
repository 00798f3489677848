import AsyncPrimitives
import Foundation
import KnownGoodStore
import Synchronization
import TestSupport

/// SQL for the PostgreSQL tests through `psql`: an independent client, so what the store and
/// the elector did is checked by something other than their own code, and sessions can be
/// terminated from outside as an operator (or a failure) would.
enum PSQL {
    /// Runs one statement and returns its rows, fields split on `|`.
    @discardableResult
    static func rows(_ sql: String, url: String? = nil) throws -> [[String]] {
        let output = try ChildProcess.run([
            "psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-d", try url ?? TestServices.postgresURL(), "-c", sql,
        ])
        return output.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The first field of the first row.
    static func value(_ sql: String, url: String? = nil) throws -> String? {
        try rows(sql, url: url).first?.first
    }

    /// Ends every session that announced `applicationName`, as a crash or an operator would.
    @discardableResult
    static func terminateSessions(applicationName: String) throws -> Int {
        let killed = try value(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '\(applicationName)'")
        return Int(killed ?? "0") ?? 0
    }

    /// How many sessions hold the advisory lock of an environment's leadership.
    static func leadershipLockHolders(environment: String) throws -> Int {
        let bits = UInt64(bitPattern: LeaderElection.lockKey(environment: environment))
        let count = try value(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
            AND classid = \(bits >> 32) AND objid = \(bits & 0xffff_ffff) AND objsubid = 1
            """)
        return Int(count ?? "0") ?? 0
    }

    /// A new, empty database on the test server; dropped by `dropDatabase`.
    static func createDatabase() throws -> (name: String, url: String) {
        try TestDatabase.create()
    }

    static func dropDatabase(_ name: String) throws {
        try TestDatabase.drop(name)
    }
}

/// A name no other test uses, for `application_name` and databases.
func uniqueName(_ prefix: String) -> String {
    prefix + "-" + UUID().uuidString.prefix(8).lowercased()
}

/// Records what a `LeaderElection` reports, for tests to poll.
final class LeadershipLog: Sendable {
    private let recorded = Mutex<[LeadershipEvent]>([])
    private let ended = Mutex(false)

    var events: [LeadershipEvent] { recorded.withLock { $0 } }
    var finished: Bool { ended.withLock { $0 } }

    var leaderFences: [LeaderFence] {
        events.compactMap { event in
            if case .leader(let fence) = event { return fence }
            return nil
        }
    }

    /// Drains `election.events` until the stream finishes.
    func follow(_ election: LeaderElection) async {
        for await event in election.events {
            recorded.withLock { $0.append(event) }
        }
        ended.withLock { $0 = true }
    }
}

/// Elector settings for tests: short intervals so takeovers happen quickly.
func fastElection(url: String, environment: String, applicationName: String) throws -> LeaderElection {
    try LeaderElection(
        url: url, environment: environment,
        configuration: .init(
            retryInterval: .milliseconds(100), checkInterval: .milliseconds(200),
            reconnectBackoff: .init(initial: .milliseconds(100), maximum: .seconds(1)), applicationName: applicationName))
}
