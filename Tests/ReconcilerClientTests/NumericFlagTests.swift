import AsyncPrimitives
import ReconcilerTestSupport
import TestSupport
import Testing

/// Numbers on the command lines of both binaries: a value out of range or not a number at all is
/// a usage error naming the flag and what was found, never a crash (a trap ends in a signal).
@Suite struct NumericFlagTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let product: String
        let arguments: [String]
        let flag: String
        var testDescription: String { "\(product) \(arguments.joined(separator: " "))" }
    }

    static let cases: [Case] = [
        Case(product: "clipnet-worker", arguments: ["run", "--grace-seconds", "1e300"], flag: "--grace-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--grace-seconds", "nan"], flag: "--grace-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--grace-seconds=-1"], flag: "--grace-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--heartbeat-ttl-seconds", "nan"], flag: "--heartbeat-ttl-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--heartbeat-ttl-seconds", "inf"], flag: "--heartbeat-ttl-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--heartbeat-ttl-seconds", "0"], flag: "--heartbeat-ttl-seconds"),
        Case(product: "clipnet-worker", arguments: ["run", "--metrics-port", "99999"], flag: "--metrics-port"),
        Case(product: "clipnet-worker", arguments: ["run", "--concurrency", "0"], flag: "--concurrency"),
        Case(product: "reconciler", arguments: ["heads", "--repository", ".", "--interval", "1e300"], flag: "--interval"),
        Case(product: "reconciler", arguments: ["pin", "abc", "--reason", "x", "--wait", "--wait-timeout", "inf"], flag: "--wait-timeout"),
        Case(product: "reconciler-demo", arguments: ["--port", "99999"], flag: "--port"),
    ]

    @Test(arguments: cases)
    func anOutOfRangeNumberIsAUsageErrorNamingTheFlag(_ flag: Case) async throws {
        let result = try await Spawn.run(ChildProcess.productPath(flag.product), flag.arguments, environment: ["PATH": "/usr/bin:/bin"])
        // A usage error is 2 from both binaries (docs/operations.md, docs/worker.md); a trap
        // would be 128 + the signal.
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(flag.flag) && result.stderr.contains("found"), "\(result)")
    }
}
