import Foundation
import Testing

@testable import ClipnetConfig

/// Every spelling of production's host is production's host, in the worker's guard and in the
/// reconciler's policy alike; other hosts and ports stay allowed.
@Suite struct HostSpellingTests {
    /// Production's Redis at 127.0.0.1:6379 (database 0), fingerprinted as the reconciler writes it.
    static func productionOnLoopback() throws -> IsolationFingerprints {
        let identities = IsolationKeys.identities(of: "redis://127.0.0.1:6379/0", as: .redis) ?? []
        let extra = IsolationFingerprints(
            environment: "production", entries: identities.map { .init(resource: .redis, fingerprint: Fingerprint.of($0)) })
        return try Fixtures.productionFingerprints().merging(extra)
    }

    static func problems(redisURL: String, resolver: HostResolver = .none) throws -> [String] {
        var environment = WorkerIsolationGuardTests.stagingEnvironment
        environment["REDIS_URL"] = redisURL
        let guardian = WorkerIsolationGuard(productionFingerprints: try productionOnLoopback(), resolver: resolver)
        return guardian.problems(try WorkerSettings.fromEnvironment(environment))
    }

    static let productionSpellings = [
        "redis://127.0.0.1:6379/0", "redis://127.0.0.1/0", "redis://127.0.0.1", "rediss://127.0.0.1:6379/0",
        "redis://localhost:6379/0", "redis://LOCALHOST./0", "redis://127.1:6379/0", "redis://2130706433:6379/0",
        "redis://0x7f000001:6379/0", "redis://0x7F.0.0.1:6379/0", "redis://0177.0.0.1:6379/0", "redis://127.000.000.001:6379/0",
        "redis://127.0.1:6379/0", "redis://[::ffff:127.0.0.1]:6379/0", "redis://[::FFFF:7f00:1]:6379/0",
        "redis://[0:0:0:0:0:ffff:127.0.0.1]:6379/0", "redis://[::1]:6379/0", "redis://[0:0:0:0:0:0:0:1]:6379/0",
        "redis://127.0.0.2:6379/0", "redis://0.0.0.0:6379/0", "redis://app.localhost:6379/0",
        "redis://:password@127.1:6379/0",
    ]

    @Test(arguments: productionSpellings)
    func aSpellingOfProductionsHostIsRefused(url: String) throws {
        let problems = try Self.problems(redisURL: url)
        #expect(problems.contains { $0.contains("REDIS_URL") && $0.contains("production's Redis") }, "\(url) passed")
    }

    static let otherEndpoints = [
        "redis://127.0.0.1:6380/0", "redis://127.0.0.1:6379/1", "redis://10.0.0.7:6379/0", "redis://[::ffff:10.0.0.7]:6379/0",
        "redis://redis-staging.railway.internal:6379/0", "redis://2130706434.example:6379/0",
    ]

    @Test(arguments: otherEndpoints)
    func anotherHostPortOrDatabaseIsAllowed(url: String) throws {
        #expect(try Self.problems(redisURL: url).isEmpty, "\(url) was refused")
    }

    @Test func aNameIsRefusedWhenAnyOfItsAddressesIsProductions() throws {
        let resolver = HostResolver { name in
            switch name {
            case "cache.internal": ["10.0.0.9", "127.0.0.1"]
            case "cache6.internal": ["fd00::9", "::ffff:127.0.0.1"]
            case "staging-cache.internal": ["10.0.0.9", "fd00::9"]
            default: []
            }
        }
        #expect(try !Self.problems(redisURL: "redis://cache.internal:6379/0", resolver: resolver).isEmpty)
        #expect(try !Self.problems(redisURL: "redis://cache6.internal:6379/0", resolver: resolver).isEmpty)
        #expect(try Self.problems(redisURL: "redis://staging-cache.internal:6379/0", resolver: resolver).isEmpty)
        // Without resolution the same names are compared as names only.
        #expect(try Self.problems(redisURL: "redis://cache.internal:6379/0").isEmpty)
    }

    @Test func theSystemResolverReadsLocalhostAsLoopback() {
        let readings = HostResolver.system.readings(of: "localhost")
        #expect(readings.contains("127.0.0.1"))
    }

    @Test(arguments: [
        ("127.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("127.000.000.001", "127.0.0.1"),
        ("010.0.0.1", "8.0.0.1"), ("010.0.0.1", "10.0.0.1"), ("10.1", "10.0.0.1"), ("[::ffff:10.0.0.1]", "10.0.0.1"),
        ("[2001:DB8:0:0:0:0:0:1]", "[2001:db8::1]"),
    ])
    func aSpellingReadsAsTheAddressItConnectsTo(spelling: String, address: String) {
        #expect(HostSpelling.readings(spelling).contains(address))
    }

    @Test(arguments: ["256.0.0.1", "1.2.3.4.5", "0x1g.0.0.1", "example.com", "4294967296", "1.2.65536"])
    func aNameOrAnImpossibleNumberIsNoIPv4Address(spelling: String) {
        #expect(HostSpelling.ipv4Readings(spelling).isEmpty)
    }

    /// The reconciler's manifest policy uses the same readings.
    @Test func theReconcilersPolicyRefusesASpellingToo() throws {
        let policy = IsolationPolicy(environment: "staging", denied: try Self.productionOnLoopback())
        #expect(policy.violation(for: "redis://0x7f000001:6379/0", subject: "REDIS_URL", secret: nil, location: nil) != nil)
        #expect(policy.violation(for: "redis://10.0.0.7:6379/0", subject: "REDIS_URL", secret: nil, location: nil) == nil)
    }

    /// A DNS of two names for one server, and a third name elsewhere.
    static let dns = HostResolver { name in
        switch name {
        case "redis.prod.internal": ["10.9.8.7"]
        case "cache.alias.example": ["10.1.1.1", "10.9.8.7"]
        case "redis.staging.internal": ["10.5.5.5"]
        default: []
        }
    }

    @Test func fingerprintsWrittenWithAResolverRecordTheAddressesOfNames() {
        let plain = IsolationKeys.identities(of: "redis://redis.prod.internal:6379/0", as: .redis) ?? []
        let resolved = IsolationKeys.identities(of: "redis://redis.prod.internal:6379/0", as: .redis, resolver: Self.dns) ?? []
        #expect(!plain.contains("redis://10.9.8.7:6379/0"))
        #expect(resolved.contains("redis://10.9.8.7:6379/0"))
        #expect(resolved.contains("redis://redis.prod.internal:6379/0"), "the name itself stays")
    }

    @Test func theReconcilersPolicyFindsAnotherNameForProductionsServerByItsAddress() {
        let identities = IsolationKeys.identities(of: "redis://redis.prod.internal:6379/0", as: .redis, resolver: Self.dns) ?? []
        let production = IsolationFingerprints(
            environment: "production", entries: identities.map { .init(resource: .redis, fingerprint: Fingerprint.of($0)) })
        let resolving = IsolationPolicy(environment: "staging", denied: production, resolver: Self.dns)
        let spelling = IsolationPolicy(environment: "staging", denied: production)
        let other = "redis://cache.alias.example:6379/0"
        #expect(
            resolving.violation(for: other, subject: "REDIS_URL", secret: nil, location: nil) != nil,
            "one of its two addresses is production's")
        #expect(spelling.violation(for: other, subject: "REDIS_URL", secret: nil, location: nil) == nil, "by spelling alone it passes")
        #expect(resolving.violation(for: "redis://redis.staging.internal:6379/0", subject: "REDIS_URL", secret: nil, location: nil) == nil)
        #expect(
            resolving.violation(for: "redis://unknown.example:6379/0", subject: "REDIS_URL", secret: nil, location: nil) == nil,
            "a name that does not resolve is compared by name")
    }

    @Test func aLookupSlowerThanTheBoundCountsAsNotResolving() {
        let slow = HostResolver { _ in
            Thread.sleep(forTimeInterval: 2)
            return ["10.9.8.7"]
        }
        let bounded = HostResolver.system(timeout: .milliseconds(50))
        #expect(bounded.addresses("localhost").isEmpty == false, "a quick lookup answers")
        let timed = HostResolver.bounded(slow, timeout: .milliseconds(50))
        #expect(timed.addresses("redis.prod.internal").isEmpty)
    }
}
