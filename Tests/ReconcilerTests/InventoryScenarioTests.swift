import ClipnetContracts
import Foundation
import HTTPTransport
import KnownGoodStore
import PlatformEmulators
import Reconciler
import ReconcilerTestSupport
import StagingSandbox
import Testing

/// The worker's Cloudinary folder as an inventory item of the status: checked on full
/// observations against the sandbox's Cloudinary emulator, carried over by the cheap drift checks
/// in between, and never a reason to hold a rollout back or to change the verdict.
@Suite struct InventoryScenarioTests {
    static let folderName = "cloudinary folder"

    /// Admin API folder requests the emulator received.
    static func folderRequests(_ world: Scenario) -> Int {
        world.sandbox.cloudinaryServer.host.log.count { $0.path.contains("/folders/") }
    }

    @Test func statusShowsTheWorkersCloudinaryFolderInStatusJSONAndOnThePage() async throws {
        try await Scenario.with { world in
            try world.commit("First")
            try await world.settle()
            let server = try await RunningOperatorServer.start(control: world.daemon)
            let client = HTTPClient(runtime: try CurlRuntime())
            let json = try await client.send(HTTPRequest(url: server.baseURL + "/status"))
            let page = try await client.send(HTTPRequest(url: server.baseURL + "/"))
            await server.stop()
            let document = try StatusDocument.decoder().decode(StatusDocument.self, from: Data(json.body))
            let item = try #require(document.inventory?.first)
            #expect(document.inventory?.count == 1)
            #expect(item.name == Self.folderName)
            #expect(item.target == "staging_clips/")
            #expect(item.state == "exists", "\(item)")
            #expect(item.detail?.contains(world.sandbox.cloudinary.configuration.cloudName) == true)
            #expect(page.text.contains("id=\"inventory\""))
            #expect(page.text.contains("<code>staging_clips/</code> <span class=\"badge ok\">exists</span>"))
            #expect(!json.text.contains(world.sandbox.cloudinary.configuration.apiSecret))
        }
    }

    @Test func aMissingFolderIsShownButTheRolloutGoesAheadAndTheVerdictStaysInSync() async throws {
        try await Scenario.with { world in
            world.sandbox.cloudinary.deleteFolder(world.sandbox.cloudinaryFolder)
            let revision = try world.commit("First")
            try await world.settle()
            #expect(try await world.record().knownGood?.revision == revision, "a missing folder holds no rollout back")
            let status = try #require(world.state())
            #expect(StatusVerdict(status).inSync, "\(StatusVerdict(status).kind)")
            let item = try #require(status.inventory?.first)
            #expect(item.state == "missing")
            #expect(item.detail?.contains("refuses to start") == true)
        }
    }

    @Test func idleDriftChecksCarryTheFolderCheckOverWithoutAskingCloudinaryAgain() async throws {
        // Without simulated heartbeats: one expiring between two checks is a real change that
        // rightly leads to a full observation, which is not what this test is about.
        try await Scenario.with(heartbeats: false) { world in
            try world.commit("First")
            try await world.settle()
            #expect(Self.folderRequests(world) > 0, "the full observations checked the folder")
            let checked = try #require(world.state()?.inventory?.first)
            world.sandbox.cloudinaryServer.host.log.clear()
            for _ in 0..<5 { _ = await world.daemon.runPass([.timer]) }
            #expect(Self.folderRequests(world) == 0, "a quick look never asks Cloudinary")
            #expect(world.state()?.inventory?.first == checked, "the last full observation's item is carried over")
        }
    }

    @Test func aFullObservationAsksAgainAndSeesAFolderDeletedByHand() async throws {
        let everyCheckInFull: (String) -> String = { $0.replacingOccurrences(of: "reconcile:\n", with: "reconcile:\n  fullObserveInterval: 0s\n") }
        try await Scenario.with(heartbeats: false, configure: everyCheckInFull) { world in
            try world.commit("First")
            try await world.settle()
            #expect(world.state()?.inventory?.first?.state == "exists")
            let history = try await world.daemon.history(limit: 100).count
            world.sandbox.cloudinary.deleteFolder(world.sandbox.cloudinaryFolder)
            world.sandbox.cloudinaryServer.host.log.clear()
            _ = await world.daemon.runPass([.timer])
            #expect(Self.folderRequests(world) == 1)
            let status = try #require(world.state())
            #expect(status.inventory?.first?.state == "missing")
            #expect(StatusVerdict(status).inSync, "information only: \(StatusVerdict(status).kind)")
            #expect(try await world.daemon.history(limit: 100).count == history, "nothing was done about it")
        }
    }

    @Test func aWorkerWithoutACloudinaryAccountIsReportedNotConfigured() async throws {
        let base = try String(contentsOfFile: Scenario.manifests + "/base.yaml", encoding: .utf8)
        let line = "        CLOUDINARY_URL: {secret: CLOUDINARY_URL}\n"
        #expect(base.contains(line))
        try await Scenario.with { world in
            try world.commit("No Cloudinary account", files: ["deploy/base.yaml": base.replacingOccurrences(of: line, with: "")])
            try await world.settle()
            let item = try #require(world.state()?.inventory?.first)
            #expect(item.state == "notConfigured", "\(item)")
            #expect(item.target == "staging_clips/")
            #expect(Self.folderRequests(world) == 0, "nothing to ask without an account")
        }
    }
}
