import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import ReconcilerTestSupport
import Testing

/// The status page in a real browser: Debian's headless Chromium loads it from a real socket,
/// the DOM it built shows the desired revision and the drift, and the run leaves screenshots
/// (laptop and phone widths) under `.build/test-artifacts/` for people to look at.
///
/// Chromium missing is a failure that says how to install it, never a skip: `make test` installs
/// it (scripts/ensure-packages.sh).
@Suite(.serialized) struct StatusPageBrowserTests {
    @Test func theStatusPageLoadsInHeadlessChromiumAndShowsTheRevisionAndDrift() async throws {
        let chromium = try Chromium.locate()
        let control = FakeReconcilerControl(SampleEnvironment.model(anchor: Date(), now: { Date() }))
        try await RunningOperatorServer.with(control: control, configuration: Harness.configuration) { server in
            let url = server.baseURL + "/"
            let dom = try await chromium.dumpDOM(url)
            #expect(dom.contains("<title>Rolling out · staging · CLIPNET reconciler</title>"))
            #expect(dom.contains(SampleEnvironment.head), "the desired revision, in full")
            #expect(dom.contains(SampleEnvironment.knownGood), "the known-good revision, in full")
            #expect(dom.contains("worker reports b6589fc6ab0d, api reports da4b9237bacc"), "the version-skew drift")
            #expect(dom.contains("Railway auto-deploy from GitHub is on for worker"), "the auto-deploy drift")
            #expect(dom.contains("deploying api and worker"), "the rollout phase")

            let directory = Artifacts.directory()
            for (name, width, height) in [("status-page.png", 1280, 1800), ("status-page-phone.png", 400, 3000)] {
                let path = directory + "/" + name
                try await chromium.screenshot(url, to: path, width: width, height: height)
                let png = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(name) is a PNG")
                #expect(Self.pngWidth(png) == width, "\(name) is \(width) px wide")
                print("status page screenshot: \(path)")
            }
        }
    }

    @Test func aFailedBuildsOwnLastLinesShowUnderTheRolloutInTheBrowser() async throws {
        let chromium = try Chromium.locate()
        let control = FakeReconcilerControl(SampleEnvironment.model(anchor: Date(), now: { Date() }))
        control.update { model in
            guard var rollout = model.state.rollout else { return }
            rollout.phase = .rolledBack
            rollout.error = "the api deployment 5a1c9e3f of \(SampleEnvironment.head.prefix(12)) ended FAILED"
            model.state.rollout = rollout
            model.state.failureLogs = [
                FailureLog(
                    rolloutID: rollout.id, service: .api, deployment: "5a1c9e3f-7b2d-4f6a-8c0e-3d9b1f5a7c26", status: "FAILED",
                    lines: [
                        "#5 [build 2/4] RUN swift build -c release", "Sources/API/Routes.swift:42:9: error: cannot find 'Reqest' in scope",
                        "echo DATABASE_URL=<redacted>", "<script>alert(1)</script>", "error: build failed (exit code 1)",
                    ],
                    link: "https://railway.com/project/p/service/s?environmentId=e", capturedAt: Date()),
                // Another rollout's log is not shown under this one.
                FailureLog(
                    rolloutID: "ro-older", service: .frontend, deployment: "dpl_old", status: "ERROR", lines: ["old frontend failure"], link: nil,
                    capturedAt: Date()),
            ]
        }
        try await RunningOperatorServer.with(control: control, configuration: Harness.configuration) { server in
            let url = server.baseURL + "/"
            let dom = try await chromium.dumpDOM(url)
            #expect(dom.contains("api FAILED: the last 5 lines of its log"), "\(dom)")
            #expect(dom.contains("Sources/API/Routes.swift:42:9: error: cannot find 'Reqest' in scope"))
            #expect(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "log lines are escaped")
            #expect(dom.contains("open in Railway"))
            #expect(!dom.contains("old frontend failure"))
            let path = Artifacts.directory() + "/status-page-failed-build.png"
            try await chromium.screenshot(url, to: path, width: 1280, height: 1800)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)).starts(with: [0x89, 0x50, 0x4E, 0x47]))
            print("status page screenshot: \(path)")
        }
    }

    @Test func aBlockedDaemonIsBlockedInTheBrowserWithOneCausePerLineAndNoClaimOfNoDrift() async throws {
        let chromium = try Chromium.locate()
        let control = FakeReconcilerControl(SampleEnvironment.model(anchor: Date(), now: { Date() }))
        control.update { model in
            model.state.rollout = nil
            model.lastPass = PassReport(
                result: .stalled, step: "credentials", message: "Railway refused the token in RAILWAY_TOKEN: Not Authorized",
                reason: nil, startedAt: Date(), duration: .milliseconds(80), steps: [])
            model.blockedBy =
                "the staging manifest cannot be used:\nsecret STAGING_NEXTAUTH_SECRET is not set\nsecret STAGING_DATABASE_URL is not set"
            model.drift = []
            model.platformAccess = [
                .init(platform: .vercel, tokenEnv: "VERCEL_TOKEN", state: .verified, detail: "reads project clipnet-web", checkedAt: Date()),
                .init(
                    platform: .railway, tokenEnv: "RAILWAY_TOKEN", state: .refused,
                    detail: "Railway refused the token in RAILWAY_TOKEN: Not Authorized", checkedAt: Date()),
            ]
        }
        try await RunningOperatorServer.with(control: control, configuration: Harness.configuration) { server in
            let dom = try await chromium.dumpDOM(server.baseURL + "/")
            #expect(dom.contains("<title>Blocked · staging · CLIPNET reconciler</title>"), "the badge comes from the verdict")
            #expect(
                dom.contains("<li>secret STAGING_NEXTAUTH_SECRET is not set</li><li>secret STAGING_DATABASE_URL is not set</li>"),
                "one cause per list item")
            #expect(!dom.contains("No drift: what runs matches the desired state"), "no claim of being in sync")
            #expect(dom.contains("not every service runs the desired revision"))
            #expect(dom.contains("token refused") && dom.contains("token accepted"), "each platform's token state")
            #expect(dom.contains("cloudinary folder"), "the inventory card")
            try await chromium.screenshot(server.baseURL + "/", to: Artifacts.directory() + "/status-page-blocked.png", width: 1280, height: 1800)
        }
    }

    /// The width field of a PNG's IHDR chunk.
    static func pngWidth(_ png: Data) -> Int? {
        guard png.count > 24 else { return nil }
        return png[16..<20].reduce(0) { $0 << 8 | Int($1) }
    }
}

/// Where test runs leave files for people: `.build/test-artifacts/` beside the build products.
enum Artifacts {
    static func directory() -> String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/", url.lastPathComponent != ".build" { url.deleteLastPathComponent() }
        let base = url.lastPathComponent == ".build" ? url : URL(fileURLWithPath: NSTemporaryDirectory())
        let directory = base.appendingPathComponent("test-artifacts")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.path
    }
}
