import AsyncPrimitives
import Foundation
import HTTPTransport
import TestSupport
import Testing

/// `make run` stopped with Ctrl-C or by a supervisor: the real `reconciler-demo` exits and takes
/// its children (the throwaway redis-server) with it. It once hung after "Stopping the demo",
/// spinning a core, because its redis-server had inherited a mask that blocked SIGTERM. The 30 s
/// bound is a guard against that hang, not a timing assertion.
@Suite(.serialized) struct DemoShutdownTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func theDemoExitsOnASignalAndLeavesNoChildRunning(_ signal: Int32) async throws {
        let folder = try TemporaryDirectory(prefix: "clipnet-demo-shutdown")
        let log = folder.appending("demo.log")
        let port = try UnusedLoopbackPort.make()
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = folder.path
        let demo = try Spawn.Child(
            ChildProcess.productPath("reconciler-demo"), ["--manifests", Scenario.manifests, "--port", "\(port)"],
            environment: environment, output: .file(log), errors: .standardOutput)
        func output() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var started: [ProcessEntry] = []
        defer {
            // Whatever the outcome, nothing of this test keeps running.
            for entry in started where entry.isAlive { kill(entry.pid, SIGKILL) }
        }

        let runtime = try CurlRuntime()
        let client = HTTPClient(runtime: runtime)
        let answered = await eventually(within: .seconds(120)) {
            if !demo.isRunning { return true }
            let response = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/", timeout: .seconds(5)))
            return response?.isSuccess == true
        }
        try #require(answered && demo.isRunning, "the status page did not answer: \(output())")

        started = ProcessEntry.descendants(of: demo.pid)
        if Spawn.resolve("redis-server", path: "/usr/bin:/usr/local/bin") != nil {
            #expect(started.contains { $0.name == "redis-server" }, "no redis-server among \(started)")
        }
        // Each can be stopped by SIGTERM and SIGINT: the demo's SIGKILL after a grace period would
        // otherwise hide a child that blocks them.
        let stopSignals = UInt64(1) << (SIGTERM - 1) | UInt64(1) << (SIGINT - 1)
        for entry in started {
            #expect(entry.blockedSignals.map { $0 & stopSignals } == 0, "\(entry) blocks SIGTERM or SIGINT")
        }

        kill(demo.pid, signal)
        let exited = await eventually(within: .seconds(30)) { !demo.isRunning }
        #expect(exited, "the demo still runs 30 s after signal \(signal): \(output())")
        if !exited {
            demo.kill()
            await demo.wait()
        }
        #expect(demo.termination == .exited(0), "\(output())")
        #expect(output().contains("Stopping the demo"))
        let left = started.filter(\.isAlive)
        #expect(left.isEmpty, "still running after the demo exited: \(left)")
    }
}

/// A process as /proc shows it; the start time tells it apart from a later one given the same pid.
struct ProcessEntry: CustomStringConvertible {
    let pid: pid_t
    let parent: pid_t
    let name: String
    let state: String
    let startTime: String

    init?(pid: pid_t) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the name: state, parent, ..., the start time (field 22 of proc(5)).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let parent = pid_t(fields[1]) else { return nil }
        self.pid = pid
        self.parent = parent
        self.name = String(stat[stat.index(after: open)..<close])
        self.state = String(fields[0])
        self.startTime = String(fields[19])
    }

    /// Still this process, and not a zombie waiting to be reaped by someone else.
    var isAlive: Bool {
        guard let now = ProcessEntry(pid: pid) else { return false }
        return now.startTime == startTime && now.state != "Z"
    }

    var description: String { "\(name) (\(pid))" }

    /// The signal mask (bit n - 1 for signal n), from /proc/<pid>/status.
    var blockedSignals: UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") })
        else { return nil }
        return UInt64(line.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16)
    }

    /// The children of `root`, their children, and so on.
    static func descendants(of root: pid_t) -> [ProcessEntry] {
        let all = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(pid_t.init).compactMap(ProcessEntry.init(pid:))
        var found: [ProcessEntry] = []
        var parents: Set<pid_t> = [root]
        while true {
            let known = Set(found.map(\.pid))
            let next = all.filter { parents.contains($0.parent) && !known.contains($0.pid) }
            if next.isEmpty { return found }
            found += next
            parents = Set(next.map(\.pid))
        }
    }
}
