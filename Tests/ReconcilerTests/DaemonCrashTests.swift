import ClipnetConfig
import ClipnetContracts
import ClipnetJSON
import Foundation
import KnownGoodStore
import PlatformEmulators
import Reconciler
import StagingSandbox
import TestSupport
import Testing

/// `kill -9` of the daemon at each phase of a rollout, then a restart: the rollout converges and
/// no step that already had a deployment is deployed again (proved with the emulators' logs).
@Suite(.serialized) struct DaemonCrashTests {
    enum Phase: String, CaseIterable, Sendable {
        case syncVariables, deployBackend, verifyBackend, deployFrontend, healthGate, rollingBack
    }

    /// A sandbox whose phases each last long enough to be caught, and a file store to watch.
    static func slowSandbox(healthWindow: Int = 2, notifications: Bool = false, github: Bool = false) async throws -> StagingSandbox {
        var options = StagingSandbox.Options(
            manifestsDirectory: Scenario.manifests, redisURL: try Scenario.redisURL(), heartbeatInterval: .milliseconds(50),
            vercelTimings: .init(queued: .milliseconds(100), building: .milliseconds(1200)),
            railwayTimings: .init(initializing: .milliseconds(100), building: .milliseconds(1200), deploying: .milliseconds(200)),
            healthWindowSeconds: healthWindow, healthIntervalSeconds: 1)
        options.notifications = notifications
        options.github = github
        return try await StagingSandbox.start(options)
    }

    /// The notifier is a service of the real binary: killed after it posted a rollout's Slack
    /// message, the restarted daemon edits that message to the rollout's end instead of posting
    /// a second one (the message id is in the store).
    @Test func aDaemonKilledMidRolloutUpdatesTheSameSlackMessageAfterRestart() async throws {
        let sandbox = try await Self.slowSandbox(notifications: true, github: true)
        defer { Task { await sandbox.stop() } }
        let slack = try #require(sandbox.notifications?.slack)
        let github = try #require(sandbox.github)
        let config = try sandbox.writeDaemonConfiguration(sandbox.daemonConfiguration())
        let revision = try sandbox.commit("Under test")
        github.pass(revision)
        let daemon = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        // In deployBackend, with the message posted and its id stored.
        let posted = await eventually(within: .seconds(60)) {
            guard let state = try? await Self.state(sandbox), let rollout = state.rollout, rollout.revision == revision,
                rollout.phase == .deployBackend
            else { return false }
            return state.notifications?.channels["deploys"]?.message(for: rollout.id) != nil
        }
        #expect(posted, "the rollout's message was never stored")
        await daemon.killHard()
        let before = try await Self.state(sandbox)
        let rolloutID = try #require(before.rollout?.id)
        let messageID = try #require(before.notifications?.channels["deploys"]?.message(for: rolloutID)?.messageID)

        let restarted = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        let ended = await eventually(within: .seconds(60)) {
            slack.messages.first { $0.ts == messageID }?.text.contains(":white_check_mark:") == true
        }
        _ = await restarted.terminate()
        #expect(ended, "the same message was not updated to the rollout's end: \(slack.messages.map(\.text))")
        #expect(slack.messages.filter { $0.threadTS == nil }.count == 1, "posted again after the restart: \(slack.messages.map(\.text))")
        #expect(try await Self.state(sandbox).rollout?.id == rolloutID)
        // GitHub, like Slack: one deployment for the rollout, its statuses continued after the restart.
        let deployments = github.emulator.deployments.filter { $0.payload["rolloutID"]?.stringValue == rolloutID }
        #expect(deployments.count == 1, "\(github.emulator.deployments.map(\.ref))")
        #expect(deployments.first?.statuses.last?.state == "success")
    }

    static func state(_ sandbox: StagingSandbox) async throws -> EnvironmentState {
        try await FileStateStore(directory: sandbox.stateDirectory).load(environment: "staging")
    }

    /// Waits until the stored rollout of `revision` satisfies `condition`.
    static func waitFor(
        _ sandbox: StagingSandbox, revision: String, within: Duration = .seconds(60), _ condition: @escaping (RolloutRecord) -> Bool
    ) async throws -> Bool {
        await eventually(within: within) {
            guard let rollout = try? await state(sandbox).rollout, rollout.revision == revision else { return false }
            return condition(rollout)
        }
    }

    @Test(arguments: Phase.allCases)
    func aDaemonKilledInAPhaseResumesWithoutDeployingTwice(phase: Phase) async throws {
        let sandbox = try await Self.slowSandbox()
        defer { Task { await sandbox.stop() } }
        let config = try sandbox.writeDaemonConfiguration(sandbox.daemonConfiguration())
        let manifest = sandbox.manifest
        let (api, worker) = (manifest.railway.services.api.serviceId, manifest.railway.services.worker.serviceId)

        var good: String?
        if phase == .rollingBack {
            // A known-good revision first, so the failure has something to roll back to
            good = try sandbox.commit("Known good")
            let first = try DaemonProcess(configurationPath: config, sandbox: sandbox)
            #expect(try await Self.waitFor(sandbox, revision: good!) { $0.phase == .succeeded })
            await first.killHard()
        }
        let revision = try sandbox.commit("Under test")
        // Make the phase under test last a while
        switch phase {
        case .syncVariables:
            sandbox.railwayServer.host.faults.inject(.delay(milliseconds: 1500), count: 3, matching: "variableCollectionUpsert")
        case .verifyBackend:
            // The API keeps reporting an old version: verification waits until released below.
            sandbox.apps.reportVersion(String(repeating: "0", count: 40))
        case .rollingBack:
            sandbox.railway.failBuild(revision: revision, serviceId: worker)
            sandbox.railwayServer.host.faults.inject(.delay(milliseconds: 1500), count: 2, matching: "deploymentRollback")
        case .deployBackend, .deployFrontend, .healthGate:
            break
        }

        let daemon = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        let target = RolloutPhase(rawValue: phase.rawValue)!
        let reached = try await Self.waitFor(sandbox, revision: revision) { $0.phase == target }
        #expect(reached, "the rollout never reached \(phase)")
        await daemon.killHard()
        let before = try await Self.state(sandbox).rollout
        sandbox.apps.reportVersion(nil)

        // Restart: the same rollout continues (or rolls back) to the end
        let restarted = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        let ended = try await Self.waitFor(sandbox, revision: revision) { !$0.isActive }
        let after = try await Self.state(sandbox)
        _ = await restarted.terminate()

        #expect(ended)
        #expect(after.rollout?.id == before?.id, "the restarted daemon continued the same rollout")
        #expect(sandbox.railwayDeploys(of: api, revision: revision) == 1, "api deployed once for this rollout")
        #expect(sandbox.railwayDeploys(of: worker, revision: revision) == 1, "worker deployed once for this rollout")
        if phase == .rollingBack {
            #expect(after.rollout?.phase == .rolledBack)
            #expect(after.knownGood?.revision == good)
            #expect(sandbox.vercelCreates(revision: revision) == 0, "the failed revision's frontend was never deployed")
            #expect(sandbox.railwayServer.host.log.requests(operation: "deploymentRollback").filter { $0.status == 200 }.count <= 2)
        } else {
            #expect(after.rollout?.phase == .succeeded, "\(after.rollout?.error ?? "")")
            #expect(after.knownGood?.revision == revision)
            #expect(sandbox.vercelCreates(revision: revision) == 1, "frontend deployed once")
        }
    }

    @Test func aDaemonKilledAtRandomMomentsConvergesWithOneDeploymentPerService() async throws {
        let sandbox = try await Self.slowSandbox(healthWindow: 1)
        defer { Task { await sandbox.stop() } }
        let config = try sandbox.writeDaemonConfiguration(sandbox.daemonConfiguration())
        let revision = try sandbox.commit("Under test")
        var kills = 0
        while kills < 12 {
            let daemon = try DaemonProcess(configurationPath: config, sandbox: sandbox)
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...700)))
            await daemon.killHard()
            kills += 1
            if try await Self.state(sandbox).rollout.map({ $0.revision == revision && !$0.isActive }) == true { break }
        }
        let last = try DaemonProcess(configurationPath: config, sandbox: sandbox)
        #expect(try await Self.waitFor(sandbox, revision: revision) { $0.phase == .succeeded })
        try await last.waitUntilRunning()
        #expect(await last.terminate() == 0, "SIGTERM stops the daemon cleanly")
        let manifest = sandbox.manifest
        #expect(sandbox.railwayDeploys(of: manifest.railway.services.api.serviceId, revision: revision) == 1)
        #expect(sandbox.railwayDeploys(of: manifest.railway.services.worker.serviceId, revision: revision) == 1)
        #expect(sandbox.vercelCreates(revision: revision) == 1)
        #expect(try await Self.state(sandbox).knownGood?.revision == revision)
    }
}
