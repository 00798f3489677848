import AsyncPrimitives
import ClipnetContracts
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import TestSupport
import Testing

/// "Deploy this build": a deployment someone creates on GitHub for staging marks its commit. The
/// daemon hears of it through the signed `deployment` webhook, rolls the build out (through the
/// release gate), reports the rollout on that same deployment, ignores the deployments it creates
/// itself, and hands staging back to the branch on `reconciler unmark`.
@Suite(.serialized) struct DeploymentRequestScenarioTests {
    @Test func aDeploymentRequestMarksItsBuildIsReportedOnThatDeploymentAndUnmarkHandsStagingBack() async throws {
        try await Scenario.with(github: true) { world in
            let github = try #require(world.sandbox.github)
            let secret = try #require(world.sandbox.environment["GITHUB_WEBHOOK_SECRET"])
            let running = try await EndToEndTests.Running.start(world, webhookSecret: secret)
            let server = "http://127.0.0.1:\(running.port)"
            try world.sandbox.sendPlatformWebhooks(to: server)
            let wanted = try world.commit("A build to try on staging")
            github.pass(wanted)
            let head = try world.commit("Head of develop")
            github.pass(head)
            // Hang guards, not timing checks.
            #expect(await eventually(within: .seconds(180)) { world.state()?.knownGood?.revision == head })
            #expect(
                await eventually(within: .seconds(60)) {
                    github.emulator.deployments.contains { $0.ref == head && $0.statuses.last?.state == "success" }
                })
            // An Actions job that names the environment makes GitHub create a deployment (task
            // `deploy`): not a request.
            github.emulator.requestDeployment(sha: head, environment: "staging", by: "github-actions[bot]", task: "deploy")
            let ownDeployments = github.emulator.deployments.count

            let id = github.emulator.requestDeployment(sha: wanted, environment: "staging", by: "alice", ref: "feature/try")
            #expect(await eventually(within: .seconds(180)) { world.state()?.knownGood?.revision == wanted })
            #expect(world.apiRevision == wanted && world.frontendRevision == wanted)
            let status = try #require(world.state())
            #expect(status.desired.source == .mark && status.desired.revision == wanted, "\(status.desired)")
            #expect(status.desired.request.map { $0.deployment == id && $0.by == "github:alice" && $0.ref == "feature/try" } == true)
            #expect(status.rollout?.trigger == "request", "\(String(describing: status.rollout))")

            // Reported on the request's own deployment: no deployment of the daemon's for this rollout.
            #expect(await eventually(within: .seconds(60)) { github.emulator.deployments.first { $0.id == id }?.statuses.last?.state == "success" })
            let requested = try #require(github.emulator.deployments.first { $0.id == id })
            #expect(requested.statuses.map(\.state).contains("in_progress"), "\(requested.statuses.map(\.state))")
            #expect(requested.statuses.last?.environmentURL == "https://staging.clipnet.ai")
            #expect(github.emulator.deployments.count == ownDeployments + 1, "the rollout adopted the request's deployment")
            // The daemon's own deployments came back as `deployment` webhooks too, and marked nothing.
            let history = try await world.daemon.history(limit: 100)
            #expect(history.filter { $0.kind == .requested }.map(\.revision) == [wanted], "\(history.map(\.kind))")

            // The operator hands staging back to develop from the command line.
            var environment = ProcessInfo.processInfo.environment
            environment["RECONCILER_TOKEN"] = EndToEndTests.Running.token
            let unmark = try await Spawn.run(
                ChildProcess.productPath("reconciler"), ["unmark", "--reason", "tried it", "--server", server, "--by", "oncall"],
                environment: environment)
            #expect(unmark.status == 0, "\(unmark.stdout)\n\(unmark.stderr)")
            #expect(unmark.stdout.contains("cleared GitHub deployment \(id) by github:alice"), "\(unmark.stdout)")
            #expect(await eventually(within: .seconds(180)) { world.state()?.knownGood?.revision == head && world.apiRevision == head })
            #expect(world.state()?.desired.source == .branch && world.state()?.desired.request == nil)
            let after = try await world.daemon.history(limit: 100)
            #expect(after.contains { $0.kind == .unmarked && $0.by == "oncall" && $0.reason == "tried it" && $0.revision == wanted })
            await running.stop()
        }
    }

    @Test func aRequestForACommitTheRepositoryDoesNotHaveIsRefusedAndMarksNothing() async throws {
        try await Scenario.with(github: true) { world in
            let first = try world.commit("First")
            try #require(world.sandbox.github).pass(first)
            try await world.settle()
            await #expect(throws: OperatorError.self) {
                _ = try await world.daemon.requestDeployment(
                    revision: String(repeating: "e", count: 40), deployment: 9, by: "github:mallory", ref: nil)
            }
            #expect(try await world.record().request == nil)
            #expect(try await world.daemon.history(limit: 20).contains { $0.kind == .requested } == false)
        }
    }
}
