import ClipnetConfig
import ClipnetContracts
import ClipnetJSON
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import ReconcilerTestSupport
import StagingSandbox
import Testing

/// Deploy only what CI passed: with `github.requiredChecks` set, a build rollout waits at the
/// release gate until its commit's checks succeeded, is held back when one fails, and never
/// deploys while GitHub cannot be read. Each rollout is reported as a GitHub deployment.
@Suite struct ReleaseGateScenarioTests {
    static func github(_ world: Scenario) throws -> SandboxGitHub { try #require(world.sandbox.github) }

    /// A few passes, as the loop would run them while a rollout waits.
    @discardableResult
    static func passes(_ world: Scenario, _ count: Int = 3) async -> PassReport? {
        await world.daemon.fetch()
        var last: PassReport?
        for _ in 0..<count {
            last = await world.daemon.runPass([.timer])
            await world.daemon.deliverNotifications()
        }
        return last
    }

    @Test func aCommitIsHeldWhileItsChecksArePendingAndRollsOutWhenTheyPass() async throws {
        try await Scenario.with(github: true) { world in
            let github = try Self.github(world)
            let first = try world.commit("First")
            github.pass(first)
            try await world.settle()
            #expect(world.state()?.knownGood?.revision == first)

            let second = try world.commit("Second")
            github.emulator.setCheckRun(sha: second, name: "build", status: "in_progress")
            let deploysBefore = world.railwayDeployCalls
            let upsertsBefore = world.sandbox.railwayServer.host.log.requests(operation: "variableCollectionUpsert").count
            let report = await Self.passes(world)
            let rollout = try #require(world.state()?.rollout)
            #expect(rollout.revision == second && rollout.phase == "checkGate")
            #expect(rollout.gateChecks?.map(\.name) == ["build", "test"])
            #expect(rollout.gateChecks?.first?.detail == "in_progress")
            #expect(rollout.gateChecks?.first?.url?.hasPrefix("https://github.com/clipnet/clipnet/runs/") == true)
            #expect(rollout.gateChecks?.last?.detail == "not reported yet")
            #expect(
                report?.message?.contains("waiting for CI checks: build (in_progress), test (not reported yet)") == true,
                "\(String(describing: report))")
            // Nothing was touched: no deploy, no variable written, the environment still on the first.
            #expect(world.railwayDeployCalls == deploysBefore)
            #expect(world.sandbox.railwayServer.host.log.requests(operation: "variableCollectionUpsert").count == upsertsBefore)
            #expect(world.apiRevision == first && world.frontendRevision == first)
            // GitHub shows the deployment queued behind its checks.
            #expect(github.emulator.deployments.last.map { $0.ref == second && $0.statuses.map(\.state) == ["queued"] } == true)

            github.pass(second)
            try await world.settle()
            #expect(world.state()?.knownGood?.revision == second)
            #expect(world.apiRevision == second)
            let timeline = try #require(world.state()?.rollout?.timeline).map(\.phase)
            #expect(timeline.prefix(2) == [.checkGate, .syncVariables])
        }
    }

    @Test func aFailedCheckHoldsTheRevisionBackWithTheCheckNamedUntilANewerCommit() async throws {
        try await Scenario.with(github: true) { world in
            let github = try Self.github(world)
            let first = try world.commit("First")
            github.pass(first)
            try await world.settle()
            let upserts = world.sandbox.railwayServer.host.log.requests(operation: "variableCollectionUpsert").count

            let broken = try world.commit("Broken tests")
            github.emulator.setCheckRun(sha: broken, name: "build", status: "completed", conclusion: "success")
            github.emulator.setCheckRun(sha: broken, name: "test", status: "completed", conclusion: "failure")
            try await world.settle()
            let status = try #require(world.state())
            #expect(status.rollout?.phase == "failed")
            let failed = try #require(status.desired.failed)
            #expect(failed.reason.contains("the CI check 'test' concluded failure (https://github.com/clipnet/clipnet/runs/"), "\(failed.reason)")
            #expect(failed.phase == "checkGate")
            // Held at the gate: nothing deployed, nothing to roll back, staging untouched.
            #expect(world.sandbox.railwayServer.host.log.requests(operation: "variableCollectionUpsert").count == upserts)
            #expect(world.railwayRollbackCalls == 0)
            #expect(status.knownGood?.revision == first && world.apiRevision == first)
            let history = try await world.daemon.history(limit: 5)
            #expect(history.first { $0.kind == .rolloutFailed }?.detail == "held back by the release gate; nothing was deployed")

            // More passes do not retry it; a newer commit whose checks pass moves on.
            await Self.passes(world, 2)
            #expect(world.state()?.rollout?.revision == broken)
            let fixed = try world.commit("Fix the tests")
            github.pass(fixed)
            try await world.settle()
            #expect(world.state()?.knownGood?.revision == fixed)
        }
    }

    @Test func aGateThatCannotReadGitHubWaitsAndNeverDeploysUnchecked() async throws {
        try await Scenario.with(github: true) { world in
            let github = try Self.github(world)
            let first = try world.commit("First")
            github.pass(first)
            try await world.settle()

            let second = try world.commit("Second")
            github.pass(second)
            github.server.host.faults.inject(.serverError(status: 502), count: 1000)
            let down = await Self.passes(world)
            #expect(world.state()?.rollout?.phase == "checkGate")
            #expect(down?.message?.contains("cannot read the CI checks") == true, "\(String(describing: down))")
            #expect(down?.message?.contains("nothing deploys unchecked") == true)
            #expect(world.apiRevision == first)

            // Rate limited: the gate waits until GitHub's reset, not its own interval.
            github.server.host.faults.clear()
            github.emulator.exhaustRateLimit(resetIn: 600)
            let limited = await Self.passes(world, 1)
            guard case .requeued(let after)? = limited?.result else {
                Issue.record("expected a requeue: \(String(describing: limited))")
                return
            }
            #expect(after >= .seconds(500), "waits for X-RateLimit-Reset: \(after)")
            #expect(world.state()?.rollout?.phase == "checkGate")
            #expect(world.apiRevision == first)
        }
    }

    @Test func eachRolloutIsOneGitHubDeploymentWithItsStatuses() async throws {
        try await Scenario.with(github: true) { world in
            let github = try Self.github(world)
            let first = try world.commit("First")
            github.pass(first)
            try await world.settle()
            let second = try world.commit("Second")
            github.pass(second)
            try await world.settle()
            let bad = try world.commit("Breaks the worker")
            github.pass(bad)
            world.sandbox.railway.failBuild(revision: bad, serviceId: world.sandbox.manifest.railway.services.worker.serviceId)
            try await world.settle()
            await world.daemon.deliverNotifications()

            let deployments = github.emulator.deployments
            #expect(deployments.map(\.ref) == [first, second, bad], "one deployment per rollout")
            #expect(deployments.allSatisfy { $0.environment == "staging" })
            #expect(deployments[1].payload["rolloutID"]?.stringValue?.hasPrefix("ro-") == true)
            let states = deployments.map { $0.statuses.map(\.state) }
            #expect(states[1].first == "in_progress", "checks passed before it started: no wait at the gate: \(states)")
            #expect(states[1].last(where: { $0 != "inactive" }) == "success")
            #expect(deployments[1].statuses.first { $0.state == "success" }?.environmentURL == "https://staging.clipnet.ai")
            // The one it replaced went inactive when the second succeeded.
            #expect(states[0].suffix(2) == ["success", "inactive"], "\(states)")
            #expect(states[2].last == "failure", "\(states)")
            let channel = try #require(world.state()?.notifications?.first { $0.kind == "github-deployments" })
            #expect(channel.state == "ok" && channel.pending == 0 && channel.target == "clipnet/clipnet")
            // The daemon's own /status, with the gate's and the channels' fields, is what the API document says.
            let document = try OpenAPIDocument(contentsOfFile: Scenario.packageRoot + "/docs/openapi.yaml")
            let body = try StatusDocument.encoder().encode(world.daemon.status().document)
            let problems = document.problems(method: "GET", path: "/status", status: 200, contentType: "application/json", body: Array(body))
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func aNewerCommitSupersedesOneStillWaitingForItsChecks() async throws {
        try await Scenario.with(github: true) { world in
            let github = try Self.github(world)
            let first = try world.commit("First")
            github.pass(first)
            try await world.settle()
            // CI never reports on this one (the branch moved on before it ran).
            let skipped = try world.commit("Skipped by CI")
            await Self.passes(world, 2)
            #expect(world.state()?.rollout.map { $0.revision == skipped && $0.phase == "checkGate" } == true)
            let next = try world.commit("Next")
            github.pass(next)
            try await world.settle()
            let status = try #require(world.state())
            #expect(status.knownGood?.revision == next && world.apiRevision == next)
            let history = try await world.daemon.history(limit: 20)
            #expect(history.contains { $0.kind == .rolloutSuperseded && $0.revision == skipped }, "\(history.map(\.kind))")
            #expect(github.emulator.deployments.first { $0.ref == skipped }?.statuses.last?.state == "inactive")
        }
    }

    @Test func aGateWhoseRepositoryIsUnknownStopsTheDaemonInsteadOfDeployingUnchecked() async throws {
        var options = StagingSandbox.Options(manifestsDirectory: Scenario.manifests)
        options.github = true
        let sandbox = try await StagingSandbox.start(options)
        defer { Task { await sandbox.stop() } }
        // The sandbox's repository is a local path: without `github.repository` nothing names the repository.
        let text = sandbox.daemonConfiguration().replacingOccurrences(of: "  repository: clipnet/clipnet\n", with: "")
        let configuration = try DaemonConfiguration.parse(text, file: "gate.yaml")
        #expect(configuration.github?.requiredChecks == ["build", "test"] && configuration.github?.repository == nil)
        do {
            _ = try await ReconcilerDaemon.make(configuration: configuration, environment: sandbox.environment, logger: Scenario.quietLogger)
            Issue.record("the daemon started with a release gate it could not build")
        } catch let error as ConfigError {
            #expect(error.message.contains("set github.repository"), "\(error)")
        }
    }
}
