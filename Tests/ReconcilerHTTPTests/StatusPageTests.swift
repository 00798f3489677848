import ClipnetContracts
import ClipnetJSON
import DriftDetector
import Foundation
import GitWatch
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Reconciler
import ReconcilerTestSupport
import Testing

@Suite struct StatusPageTests {
    @Test func thePageShowsWhatOnCallNeeds() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.contentType == "text/html; charset=utf-8")
            let html = response.text
            for expected in [
                "<meta http-equiv=\"refresh\" content=\"10\">",
                "CLIPNET <span>staging</span>",
                "Rolling out",
                SampleEnvironment.head,  // desired, in full
                SampleEnvironment.knownGood,  // known good, in full
                "deploying api and worker",
                "waiting for the Railway build of api and worker",
                "from version endpoint", "from heartbeat",
                "versionSkew", "policy: heal", "autoDeploy", "policy: report",
                "Railway auto-deploy from GitHub is on for worker",
                "hold staging while the worker build is fixed",
                "ro-2026-11-30-0007",
                "dpl_9WnXe4Lc2HsYd1",
                "this replica leads",
                "2 live workers", "14 waiting",  // the worker fleet from Redis
                "Not read this pass:",  // what the last pass could not read
                "842 requests in the last hour of 1000", "polling slowed ×2.5",  // Railway's budget
                "rollback-ready",  // the record a rollback would go back to
                "<code>staging_clips/</code> <span class=\"badge warn\">missing</span>",  // the inventory
                "<td>deployments</td><td>9 (1.3 a day)</td><td>31 (1.0 a day)</td>",  // delivery, 7 and 30 days
                "<td>lead time, median</td><td>42 min 0 s</td>", "<td>change failure rate</td><td>10 % (1 failed)</td><td>11 % (4 failed)</td>",
                "<td>time to restore, median</td><td>6 min 12 s (1)</td>",
            ] {
                #expect(html.contains(expected), "missing: \(expected)")
            }
        }
    }

    @Test func theRolloutCardShowsHowLongEachPhaseTook() async throws {
        let control = FakeReconcilerControl()
        let start = Date().addingTimeInterval(-100)
        control.update { model in
            model.state.rollout?.timeline = [
                PhaseSpan(phase: .syncVariables, startedAt: start, endedAt: start + 0.4),
                PhaseSpan(phase: .deployBackend, startedAt: start + 0.4, endedAt: start + 92.4),
                PhaseSpan(phase: .verifyBackend, startedAt: start + 92.4),
            ]
            model.state.rollout?.platformSteps = [
                PlatformStep(service: .api, step: "BUILD_IMAGE", startedAt: start + 1, endedAt: start + 80),
                PlatformStep(service: .worker, step: "HEALTHCHECK", startedAt: start + 85, endedAt: start + 91.9),
            ]
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<table class=\"timeline\">"))
            #expect(html.contains("<tr><td>syncing variables</td><td>400 ms</td></tr>"), "\(html)")
            #expect(html.contains("<tr><td>deploying api and worker</td><td>1 min 32 s</td></tr>"))
            // The platforms' own steps under the phase that waited on them, and the controller's share.
            #expect(html.contains("<tr class=\"platform\"><td>api BUILD_IMAGE</td><td>1 min 19 s</td></tr>"), "\(html)")
            #expect(html.contains("<tr class=\"platform\"><td>worker HEALTHCHECK</td><td>6.9 s</td></tr>"))
            #expect(html.contains("<tr class=\"added\"><td>the reconciler added</td><td>500 ms</td></tr>"))
            // The open phase counts up to now.
            #expect(html.contains("<td>verifying api and worker versions</td><td>") && html.contains(" s so far</td>"))
        }
    }

    @Test func aMissingCloudinaryFolderIsAWarningCardThatLeavesTheVerdictAlone() async throws {
        var withoutInventory = SampleEnvironment.document()
        withoutInventory.inventory = nil
        let tone = StatusVerdict(withoutInventory).tone
        try await Harness.test { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<article class=\"card warn\" id=\"inventory\">"))
            #expect(html.contains("<header class=\"top \(tone)\">"), "the verdict does not depend on the inventory")
        }
        let control = FakeReconcilerControl()
        control.update { $0.inventory = nil }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(!html.contains("id=\"inventory\""), "no card before the first full observation")
        }
    }

    @Test func aFailingNotificationChannelIsShownWithWhatItOwesAndWhenItTriesAgain() async throws {
        try await Harness.test { client in
            let html = try await client.execute(uri: "/", method: .get).text
            let card = try #require(html.range(of: "id=\"notifications\"").map { String(html[$0.lowerBound...].prefix(2000)) })
            #expect(html.contains("<article class=\"card warn\" id=\"notifications\">"))
            #expect(card.contains("<span class=\"badge warn\">failing</span> slack <code>C0STAGING1</code>"))
            #expect(card.contains("<strong>2 waiting</strong>"))
            #expect(card.contains("Slack chat.update: rate limited (429) (3 attempts in a row); next try"))
            #expect(card.contains("<span class=\"badge ok\">ok</span> webhook <code>hooks.example.com</code> · 57 sent"))
            // A failing channel is not the environment's problem: the verdict is the rollout's.
            #expect(!html.contains("class=\"top bad\""))
        }
    }

    @Test func aRolloutAtTheReleaseGateShowsEachRequiredCheckWithItsLink() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.state.rollout?.phase = .checkGate
            model.state.rollout?.timeline = [PhaseSpan(phase: .checkGate, startedAt: Date().addingTimeInterval(-300))]
            model.state.rollout?.gateChecks = [
                CommitCheck(name: "build", state: .success, detail: "success", url: "https://github.com/clipnet/clipnet/runs/1"),
                CommitCheck(name: "test", state: .pending, detail: "in_progress", url: "https://github.com/clipnet/clipnet/runs/2"),
            ]
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<strong>waiting for CI checks</strong>"))
            #expect(html.contains("Waiting for CI since <time"), "\(html)")
            #expect(
                html.contains("<li><span class=\"badge info\">in_progress</span> <a href=\"https://github.com/clipnet/clipnet/runs/2\">test</a></li>")
            )
            #expect(html.contains("<span class=\"badge ok\">success</span> <a href=\"https://github.com/clipnet/clipnet/runs/1\">build</a>"))
        }
    }

    @Test func aBuildMarkedByATagSaysSoWithTheHeadItHoldsBack() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.watch.mark = MarkedRevision(tag: "staging/rc-7", commit: CommitID(SampleEnvironment.knownGood)!)
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<span class=\"badge info\">marked</span> by the tag <code>staging/rc-7</code>"), "\(html)")
            #expect(html.contains("held back by the mark"))
            let status = try await client.execute(uri: "/status", method: .get)
            #expect(status.json?["desired"]?["source"] == "mark" && status.json?["desired"]?["mark"] == "staging/rc-7")
            #expect(status.json?["desired"]?["revision"]?.stringValue == SampleEnvironment.knownGood)
        }
    }

    @Test func aBuildRequestedOnGitHubOutranksTheTagAndSaysWhoAskedAndHowToClearIt() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.watch.mark = MarkedRevision(tag: "staging/rc-7", commit: CommitID(SampleEnvironment.knownGood)!)
            model.state.request = DeploymentRequest(
                revision: SampleEnvironment.featureRevision, deployment: 4242, by: "github:alice", ref: "feature/try", at: model.now())
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<span class=\"badge info\">requested</span> by <strong>github:alice</strong> (GitHub deployment 4242)"), "\(html)")
            #expect(html.contains("<code>reconciler unmark</code>") && html.contains("held back by the request"))
            #expect(!html.contains("by the tag <code>staging/rc-7</code>"), "the tag is shadowed")
            let status = try await client.execute(uri: "/status", method: .get)
            #expect(status.json?["desired"]?["source"] == "mark")
            #expect(status.json?["desired"]?["revision"]?.stringValue == SampleEnvironment.featureRevision)
            #expect(status.json?["desired"]?["request"]?["deployment"] == 4242 && status.json?["desired"]?["mark"] == "staging/rc-7")
        }
    }

    @Test func thePageLoadsNothingFromElsewhereAndRunsNoScript() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/", method: .get)
            let html = response.text.lowercased()
            #expect(!html.contains("<script"))
            #expect(!html.contains("<link"))
            #expect(!html.contains("src="))
            #expect(!html.contains("http://") && !html.contains("https://"))
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        }
    }

    @Test func everythingFromTheDaemonIsEscaped() async throws {
        let control = FakeReconcilerControl()
        let hostile = #"<script>alert("x")</script> & 'quotes'"#
        control.update { model in
            model.state.pin = PinRecord(revision: SampleEnvironment.knownGood, reason: hostile, by: "<b>eve</b>", at: SampleEnvironment.now)
            model.drift = [.init(kind: .variables, service: "<api>", detail: hostile)]
            model.history.append(
                HistoryEntry(
                    sequence: 99, at: SampleEnvironment.now, kind: .pinned, revision: SampleEnvironment.knownGood, by: "eve", reason: hostile))
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(!html.contains("<script>"))
            #expect(!html.contains("<b>eve</b>"))
            #expect(!html.contains("<api>"))
            #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"))
        }
    }

    @Test func aRefusalWithSeveralCausesIsAListNotOneParagraph() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.blockedBy =
                "unresolved secret references in the staging manifest: A_SECRET, B_SECRET\n"
                + "deploy/staging.yaml:12:21: frontend.variables.A: secret A_SECRET is not set\n"
                + "deploy/staging.yaml:30:19: railway.services.api.variables.B: secret B_SECRET is not set"
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("<ul class=\"causes\"><li>deploy/staging.yaml:12:21: frontend.variables.A: secret A_SECRET is not set</li>"))
            #expect(html.contains("<li>deploy/staging.yaml:30:19: railway.services.api.variables.B: secret B_SECRET is not set</li></ul>"))
        }
    }

    @Test func anExpiredRollbackTargetSaysARollbackRebuildsIt() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.rollbackReadiness = [
                .init(
                    revision: SampleEnvironment.previousKnownGood, state: "expired", expiresAt: nil, detail: "api: canRollback is false",
                    checkedAt: SampleEnvironment.now)
            ]
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("expired"))
            #expect(html.contains("a rollback needs a rebuild"))
            #expect(html.contains("api: canRollback is false"))
        }
    }

    @Test func aFreshEnvironmentRendersWithoutKnownGoodOrRollout() async throws {
        let control = FakeReconcilerControl()
        control.update { model in
            model.state = EnvironmentState()
            model.watch = .init(branch: "develop")
            model.services = []
            model.drift = []
            model.history = []
            model.lastPass = nil
        }
        try await Harness.test(control: control) { client in
            let html = try await client.execute(uri: "/", method: .get).text
            #expect(html.contains("Starting"))
            #expect(html.contains("No revision has passed a rollout yet."))
            #expect(html.contains("No drift"))
            #expect(html.contains("Nothing has happened yet."))
        }
    }

    @Test func thePageStillRendersWhenHistoryIsUnavailable() async throws {
        let control = FakeReconcilerControl()
        control.fail(.history, with: OperatorError(.unavailable, "store down"))
        try await Harness.test(control: control) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains("History is unavailable right now"))
        }
    }
}
