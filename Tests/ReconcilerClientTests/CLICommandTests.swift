import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import ReconcilerTestSupport
import TestSupport
import Testing

/// The `reconciler` client commands end to end: the real executable, over HTTP, against the real
/// server over the fake daemon. Exit statuses are the documented ones (docs/operations.md).
@Suite struct CLICommandTests {
    static func withServer(_ body: (RunningOperatorServer, FakeReconcilerControl, [String: String]) async throws -> Void) async throws {
        let control = FakeReconcilerControl()
        try await RunningOperatorServer.with(control: control, configuration: ClientFixture.configuration) { server in
            try await body(server, control, ["RECONCILER_TOKEN": ClientFixture.token, "RECONCILER_SERVER": server.baseURL, "USER": "oncall"])
        }
    }

    @Test func statusPrintsAReadableSummary() async throws {
        try await Self.withServer { _, _, environment in
            let run = try await CLIRun.run(["status"], environment: environment)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("staging: rolling out 77de68daecd8 (deployBackend)"), "\(run)")
            #expect(run.stdout.contains("desired     \(SampleEnvironment.head)  head of develop"), "\(run)")
            #expect(run.stdout.contains("known-good  \(SampleEnvironment.knownGood)"), "\(run)")
            #expect(run.stdout.contains("worker    railway   b6589fc6ab0d *  heartbeat"), "\(run)")
            #expect(run.stdout.contains("versionSkew [worker]: worker reports b6589fc6ab0d, api reports da4b9237bacc (policy: heal)"), "\(run)")
            // The failing Slack channel is named; the webhook that delivers is not news.
            #expect(run.stdout.contains("notify      deploys (slack C0STAGING1) failing, 2 waiting: Slack chat.update: rate limited (429)"), "\(run)")
            #expect(!run.stdout.contains("events (webhook"), "\(run)")
            #expect(run.stderr.isEmpty, "\(run)")
        }
    }

    @Test func statusAtTheReleaseGateListsTheChecksWithTheirLinks() async throws {
        try await Self.withServer { _, control, environment in
            control.update { model in
                model.state.rollout?.phase = .checkGate
                model.state.rollout?.gateChecks = [
                    CommitCheck(name: "test", state: .pending, detail: "in_progress", url: "https://github.com/clipnet/clipnet/runs/2")
                ]
            }
            let run = try await CLIRun.run(["status"], environment: environment)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("(checkGate)"), "\(run)")
            #expect(run.stdout.contains("ci check    test: in_progress  https://github.com/clipnet/clipnet/runs/2"), "\(run)")
        }
    }

    @Test func statusNamesTheDeploymentRequestAndUnmarkClearsIt() async throws {
        try await Self.withServer { _, control, environment in
            _ = try await control.requestDeployment(
                revision: SampleEnvironment.featureRevision, deployment: 4242, by: "github:alice", ref: "feature/try")
            let status = try await CLIRun.run(["status"], environment: environment)
            #expect(status.stdout.contains("desired     \(SampleEnvironment.featureRevision)  requested by github:alice"), "\(status)")
            #expect(status.stdout.contains("(GitHub deployment 4242; `reconciler unmark` clears it)"), "\(status)")
            let unmark = try await CLIRun.run(["unmark", "--reason", "tried it"], environment: environment)
            #expect(unmark.status == 0, "\(unmark)")
            #expect(unmark.stdout.hasPrefix("cleared GitHub deployment 4242 by github:alice for 1b6453892473; following the branch"), "\(unmark)")
            let again = try await CLIRun.run(["unmark"], environment: environment)
            #expect(again.stdout.hasPrefix("no deployment request marks a build"), "\(again)")
            #expect(control.calls.contains(.unmark(reason: "tried it", by: "oncall")), "\(control.calls)")
        }
    }

    @Test func promoteSaysWhereTheBranchMovedOrWhyNot() async throws {
        try await Self.withServer { _, _, environment in
            let run = try await CLIRun.run(["promote", SampleEnvironment.knownGood, "--reason", "release 7"], environment: environment)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.hasPrefix("promoted \(SampleEnvironment.knownGood): production created at "), "\(run)")
            let refused = try await CLIRun.run(["promote", SampleEnvironment.head, "--reason", "too soon"], environment: environment)
            #expect(refused.status == 1, "\(refused)")
            #expect(refused.stderr.contains("is not a known-good revision"), "\(refused)")
        }
    }

    @Test func statusJSONPrintsTheDocumentUnchanged() async throws {
        try await Self.withServer { server, control, environment in
            let run = try await CLIRun.run(["status", "--json", "--server", server.baseURL], environment: ["USER": "x"])
            #expect(run.status == 0, "\(run)")
            let document = try StatusDocument.decoder().decode(StatusDocument.self, from: Data(run.stdout.utf8))
            #expect(document == control.status().document)
        }
    }

    @Test func pinThenUnpinRecordTheOperator() async throws {
        try await Self.withServer { _, control, environment in
            let pin = try await CLIRun.run(
                ["pin", String(SampleEnvironment.knownGood.prefix(12)), "--reason", "hold for the launch"], environment: environment)
            #expect(pin.status == 0, "\(pin)")
            #expect(pin.stdout == "pinned \(SampleEnvironment.knownGood) by oncall: hold for the launch\n")
            #expect(control.status().document.desired.source == .pin)

            let unpin = try await CLIRun.run(["unpin", "--reason", "launched", "--by", "alice"], environment: environment)
            #expect(unpin.status == 0, "\(unpin)")
            #expect(unpin.stdout == "unpinned; following develop\n")
            #expect(control.calls.last == .unpin(reason: "launched", by: "alice"))
        }
    }

    @Test func aRefusalExitsWith1AndPrintsTheDaemonsMessage() async throws {
        try await Self.withServer { _, control, environment in
            let run = try await CLIRun.run(["pin", SampleEnvironment.featureRevision, "--reason", "try it"], environment: environment)
            #expect(run.status == 1, "\(run)")
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr
                    == "reconciler: refused (409 not_on_branch): \(SampleEnvironment.featureRevision) is not on branch develop; pin it anyway with force (--force)\n"
            )

            let forced = try await CLIRun.run(["pin", SampleEnvironment.featureRevision, "--reason", "try it", "--force"], environment: environment)
            #expect(forced.status == 0, "\(forced)")
            #expect(control.status().document.desired.revision == SampleEnvironment.featureRevision)
        }
    }

    @Test func rollbackRetryAndHistory() async throws {
        try await Self.withServer { _, control, environment in
            let rollback = try await CLIRun.run(["rollback", "--reason", "checkout broken"], environment: environment)
            #expect(rollback.status == 0, "\(rollback)")
            #expect(rollback.stdout.hasPrefix("rolling back to \(SampleEnvironment.previousKnownGood)"))

            let again = try await CLIRun.run(["rollback", "--to", SampleEnvironment.head, "--reason", "x"], environment: environment)
            #expect(again.status == 1, "\(again)")
            #expect(again.stderr.contains("no_rollback_target"))

            let retry = try await CLIRun.run(["retry"], environment: environment)
            #expect(retry.status == 0, "\(retry)")
            #expect(control.calls.last == .reconcile(retry: true, by: "oncall"))

            let history = try await CLIRun.run(["history", "--limit", "3"], environment: environment)
            #expect(history.status == 0, "\(history)")
            let lines = history.stdout.split(separator: "\n")
            // Three entries under a header, then the rollback targets with their readiness.
            try #require(lines.count == 6, "\(history)")
            #expect(lines[4].hasPrefix("ROLLBACK TARGET"), "\(history)")
            #expect(lines[5].contains("rollback-ready, expires about"), "\(history)")
            #expect(lines.first?.hasPrefix("#   WHEN") == true, "\(history)")
            #expect(lines[1].contains("retried"), "\(history)")
            #expect(lines[2].contains("rolledBack") && lines[2].contains("oncall") && lines[2].contains("checkout broken"), "\(history)")
        }
    }

    @Test func historyOfOneRolloutShowsItsEntriesAndHowLongEachPhaseTook() async throws {
        try await Self.withServer { _, control, environment in
            let start = Date(timeIntervalSince1970: 1_765_100_000)
            control.update { model in
                model.history.append(
                    HistoryEntry(
                        sequence: 90, at: start + 130, kind: .knownGood, revision: SampleEnvironment.head, by: "reconciler", rolloutID: "ro-timed",
                        timeline: [
                            PhaseSpan(phase: .syncVariables, startedAt: start, endedAt: start + 0.4),
                            PhaseSpan(phase: .deployBackend, startedAt: start + 0.4, endedAt: start + 118.4),
                            PhaseSpan(phase: .verifyBackend, startedAt: start + 118.4, endedAt: start + 130),
                            PhaseSpan(phase: .succeeded, startedAt: start + 130, endedAt: start + 130),
                        ],
                        platformSteps: [
                            PlatformStep(service: .api, step: "BUILD_IMAGE", startedAt: start + 3, endedAt: start + 110),
                            PlatformStep(service: .worker, step: "BUILD_IMAGE", startedAt: start + 1, endedAt: start + 115),
                        ]))
            }
            let run = try await CLIRun.run(["history", "--rollout", "ro-timed"], environment: environment)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("knownGood"), "\(run.stdout)")
            #expect(run.stdout.contains("syncVariables") && run.stdout.contains("400 ms"), "\(run.stdout)")
            #expect(run.stdout.contains("deployBackend") && run.stdout.contains("1 min 58 s"), "\(run.stdout)")
            #expect(run.stdout.contains("ended succeeded after 2 min 10 s"), "\(run.stdout)")
            // The platforms' own steps, and what the reconciler added after the last one ended.
            #expect(run.stdout.contains("api      BUILD_IMAGE") && run.stdout.contains("1 min 47 s"), "\(run.stdout)")
            #expect(run.stdout.contains("the reconciler added 3.4 s after the platforms finished"), "\(run.stdout)")
            let missing = try await CLIRun.run(["history", "--rollout", "ro-none"], environment: environment)
            #expect(missing.status == 1)
            #expect(
                missing.stderr == "reconciler: no rollout ro-none in the last 1000 history entries (ids look like ro-20261207T140000Z-4f2a9c)\n",
                "\(missing)")
        }
    }

    @Test func planShowsTheStepsAndAppliesNothing() async throws {
        try await Self.withServer { _, control, environment in
            let version = control.version
            let run = try await CLIRun.run(["plan"], environment: environment)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains("staging: desired \(SampleEnvironment.head) (branch)"))
            #expect(run.stdout.contains("  2. deploy [api]: deploy api at \(SampleEnvironment.head)"))
            #expect(control.version == version)
        }
    }

    @Test func cleanupPreviewListsFirstAndRemovesOnlyWithApply() async throws {
        try await Self.withServer { _, control, environment in
            control.update { $0.previewLeftovers = [.init(key: "NEXTAUTH_SECRET", id: "env_7", type: "sensitive", evidence: "sameKeyAndType")] }
            let dryRun = try await CLIRun.run(["cleanup-preview"], environment: environment)
            #expect(dryRun.status == 0, "\(dryRun)")
            #expect(dryRun.stdout.contains("NEXTAUTH_SECRET") && dryRun.stdout.contains("Nothing removed"), "\(dryRun)")
            #expect(control.calls.last == .cleanupPreview(apply: false, by: "oncall"))
            let applied = try await CLIRun.run(["cleanup-preview", "--apply"], environment: environment)
            #expect(applied.status == 0, "\(applied)")
            #expect(applied.stdout.contains("Removed 1") && applied.stdout.contains("Rotate"), "\(applied)")
            #expect(control.calls.last == .cleanupPreview(apply: true, by: "oncall"))
            let after = try await CLIRun.run(["cleanup-preview"], environment: environment)
            #expect(after.stdout.contains("No staging variables left"), "\(after)")
        }
    }

    @Test(arguments: [["retry"], ["reconcile"], ["pin", "abc", "--reason", "x"], ["unpin"], ["rollback", "--reason", "x"], ["cleanup-preview"]])
    func withoutATokenActionsExitWith2BeforeAskingTheDaemon(arguments: [String]) async throws {
        try await Self.withServer { server, control, _ in
            let run = try await CLIRun.run(arguments + ["--server", server.baseURL])
            #expect(run.status == 2, "\(run)")
            #expect(run.stderr.hasPrefix("reconciler: RECONCILER_TOKEN is not set; this command needs an operator token"), "\(run)")
            #expect(control.calls.isEmpty)
        }
    }

    @Test func aWrongTokenIsARefusalThatExitsWith1() async throws {
        try await Self.withServer { server, control, _ in
            let run = try await CLIRun.run(["retry", "--server", server.baseURL], environment: ["RECONCILER_TOKEN": "not-the-token"])
            #expect(run.status == 1, "\(run)")
            #expect(run.stderr == "reconciler: refused (401 unauthorized): the operator token is not valid\n", "\(run)")
            #expect(control.calls.isEmpty)
        }
    }

    @Test func anUnreachableDaemonExitsWith3() async throws {
        let port = try UnusedLoopbackPort.make()
        let run = try await CLIRun.run(["status", "--server", "http://127.0.0.1:\(port)"])
        #expect(run.status == 3, "\(run)")
        #expect(run.stderr.hasPrefix("reconciler: cannot reach the reconciler at http://127.0.0.1:\(port)"), "\(run)")
    }

    @Test(arguments: [
        ["pin"],
        ["pin", "abc"],
        ["pin", "abc", "--reason", " "],
        ["rollback"],
        ["history", "--limit", "0"],
        ["status", "--server", "127.0.0.1:8080"],
        ["status", "--bogus"],
        ["frobnicate"],
    ])
    func aWrongCommandLineExitsWith2(arguments: [String]) async throws {
        let run = try await CLIRun.run(arguments)
        #expect(run.status == 2, "\(run)")
        #expect(!run.stderr.isEmpty)
    }

    @Test func theTokenNeverAppearsInOutput() async throws {
        try await Self.withServer { _, _, environment in
            for arguments in [["status"], ["pin", "nope", "--reason", "x"], ["retry"], ["history"]] {
                let run = try await CLIRun.run(arguments, environment: environment)
                #expect(!run.stdout.contains(ClientFixture.token) && !run.stderr.contains(ClientFixture.token), "\(run)")
            }
        }
    }
}
