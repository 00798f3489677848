import ClipnetConfig
import ClipnetJSON
import Foundation
import HTTPTransport
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// `clipbot:post` and `clipbot:notify` through the worker against a loopback HTTP server standing in
/// for Clipbot.
@Suite struct ClipbotHandlerTests {
    static let clientId = "clipbot-staging-client"
    static let clientSecret = "s3cr3t-never-logged"

    /// The fixture's settings with the OAuth client, and a context calling `server`.
    static func context(
        _ fixture: QueueFixture, server: LoopbackHTTPServer, withClient: Bool = true,
        results: ClipResultsStore? = nil
    ) throws -> HandlerContext {
        var settings = fixture.settings
        if withClient {
            settings = WorkerSettings(
                environment: settings.environment, redisURL: fixture.redisURL, oauthClientId: clientId,
                oauthClientSecret: clientSecret, cloudinaryFolder: settings.cloudinaryFolder,
                runpodNamespace: settings.runpodNamespace)
        }
        return HandlerContext(
            settings: settings, http: HTTPClient(runtime: try CurlRuntime()), results: results,
            clipbotPostURL: server.baseURL + "/v1/posts", clipbotNotifyURL: server.baseURL + "/v1/notify")
    }

    static func handlers(_ context: HandlerContext) -> [any JobHandler] {
        [ClipbotPostHandler(context: context), ClipbotNotifyHandler(context: context)]
    }

    static func object(_ request: LoopbackHTTPServer.Request) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]) ?? [:]
    }

    @Test func postSendsWhatThePipelineProducedWithTheOAuthClientAndIsAcknowledged() async throws {
        try await withResults { results in
            let fixture = try await QueueFixture()
            let server = try LoopbackHTTPServer { _ in .respond(.json(#"{"ok":true}"#)) }
            defer { server.stop() }
            let clip = try await results.seedFinishedClip("c1", folder: "\(fixture.environment)_clips/")
            try await fixture.queue.enqueue(
                JobEnvelope(
                    id: "post-1", type: "clipbot:post",
                    payload: [
                        "clipId": "c1", "channel": "tiktok",
                    ]))
            let sent = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server, results: results.store))) { _ in
                try await QueueFixture.eventually {
                    let depth = try await fixture.queue.depth()
                    return server.requests.count == 1 && depth.queued + depth.inFlight == 0
                }
            }
            #expect(sent)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/v1/posts")
            #expect(request.header("Content-Type") == "application/json")
            let credentials = Data("\(Self.clientId):\(Self.clientSecret)".utf8).base64EncodedString()
            #expect(request.header("Authorization") == "Basic \(credentials)")
            let body = Self.object(request)
            #expect(body["jobId"] as? String == "post-1")
            #expect(body["clipId"] as? String == "c1")
            #expect(body["media"] as? String == clip.polishedMediaId)
            #expect(body["mediaURL"] as? String == clip.polishedURL)
            #expect(body["caption"] as? String == clip.caption)
            #expect(body["captionModel"] as? String == clip.captionModel)
            #expect(body["transcript"] as? String == clip.transcript)
            #expect(body["score"] as? Double == clip.score)
            #expect(body["channel"] as? String == "tiktok")
            #expect(body["environment"] as? String == fixture.environment)
            let depth = try await fixture.queue.depth()
            #expect(depth.dead == 0 && depth.retrying == 0)
            #expect(try await results.store.isDone("c1", .post))
        }
    }

    @Test func twoPostJobsForOneClipPostItOnce() async throws {
        try await withResults { results in
            let fixture = try await QueueFixture()
            // A slow Clipbot, so the two jobs overlap.
            let server = try LoopbackHTTPServer { _ in .respondAfter(.milliseconds(300), .json("{}")) }
            defer { server.stop() }
            _ = try await results.seedFinishedClip("c1", folder: "\(fixture.environment)_clips/")
            try await fixture.queue.enqueue(contentsOf: [
                JobEnvelope(id: "c1:clipbot:post", type: "clipbot:post", payload: ["clipId": "c1"]),
                JobEnvelope(id: "c1:clipbot:post", type: "clipbot:post", payload: ["clipId": "c1"]),
            ])
            let settled = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server, results: results.store))) {
                _ in
                try await QueueFixture.eventually {
                    let depth = try await fixture.queue.depth()
                    return depth.queued + depth.inFlight + depth.retrying + depth.delayed == 0
                }
            }
            #expect(settled)
            #expect(server.requests.count == 1)
            #expect(try await fixture.queue.depth().dead == 0)
        }
    }

    @Test func aClipWhosePipelineHasNotFinishedIsNotPosted() async throws {
        try await withResults { results in
            let fixture = try await QueueFixture()
            let server = try LoopbackHTTPServer { _ in .respond(.json("{}")) }
            defer { server.stop() }
            let folder = "\(fixture.environment)_clips/"
            try await results.store.ensureClip("half", sourceMedia: folder + "raw/half.mp4")
            try await results.store.saveCaption("half", caption: "c", model: "blip")
            try await results.store.stageDone("half", .process, attempt: 1)
            try await fixture.queue.enqueue(JobEnvelope(id: "early", type: "clipbot:post", payload: ["clipId": "half"]))
            let dead = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server, results: results.store))) { _ in
                try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
            }
            #expect(dead)
            #expect(server.requests.isEmpty)
            let letter = try #require(try await fixture.queue.deadLetters().first)
            #expect(letter.reason == .permanent)
            #expect(letter.error.contains("has not finished its pipeline"))
            #expect(letter.error.contains("ffmpeg:polish") && letter.error.contains("whisper:batch") && letter.error.contains("ml:score"))
        }
    }

    @Test func notifySendsTheMessageAndOmittedFieldsAsNull() async throws {
        let fixture = try await QueueFixture()
        let server = try LoopbackHTTPServer { _ in .respond(.json("{}")) }
        defer { server.stop() }
        try await fixture.queue.enqueue(JobEnvelope(id: "notify-1", type: "clipbot:notify", payload: ["message": "clip c1 is live"]))
        let sent = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server))) { _ in
            await QueueFixture.eventually { server.requests.count == 1 }
        }
        #expect(sent)
        let request = try #require(server.requests.first)
        #expect(request.path == "/v1/notify")
        let body = Self.object(request)
        #expect(body["message"] as? String == "clip c1 is live")
        #expect(body["jobId"] as? String == "notify-1")
        #expect(body["clipId"] is NSNull)
        #expect(body["channel"] is NSNull)
    }

    @Test func withoutAnOAuthClientNoAuthorizationIsSent() async throws {
        let fixture = try await QueueFixture()
        let server = try LoopbackHTTPServer { _ in .respond(.json("{}")) }
        defer { server.stop() }
        try await fixture.queue.enqueue(JobEnvelope(type: "clipbot:notify", payload: ["message": "m"]))
        let sent = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server, withClient: false))) { _ in
            await QueueFixture.eventually { server.requests.count == 1 }
        }
        #expect(sent)
        #expect(server.requests.first?.header("Authorization") == nil)
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func aClientErrorIsPermanentAndDeadLetteredWithoutTheCredentials(_ status: Int) async throws {
        let fixture = try await QueueFixture()
        let server = try LoopbackHTTPServer { _ in .respond(.json(#"{"error":"no"}"#, status: status)) }
        defer { server.stop() }
        try await fixture.queue.enqueue(JobEnvelope(id: "refused", type: "clipbot:notify", payload: ["message": "m"], maxAttempts: 5))
        let dead = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server))) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(dead)
        #expect(server.requests.count == 1)
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.reason == .permanent)
        #expect(letter.attempts == 1)
        #expect(letter.error == "CLIPBOT_NOTIFY_URL answered \(status)")
        #expect(!letter.error.contains(Self.clientSecret))
    }

    @Test(arguments: [429, 500, 503])
    func aServerErrorOrRateLimitIsRetriedUntilItSucceeds(_ status: Int) async throws {
        try await withResults { results in
            let fixture = try await QueueFixture()
            _ = try await results.seedFinishedClip("c1", folder: "\(fixture.environment)_clips/")
            let calls = Mutex(0)
            let server = try LoopbackHTTPServer { _ in
                let call = calls.withLock {
                    $0 += 1
                    return $0
                }
                return call <= 2 ? .respond(.json("{}", status: status)) : .respond(.json("{}"))
            }
            defer { server.stop() }
            try await fixture.queue.enqueue(
                JobEnvelope(
                    id: "flaky", type: "clipbot:post",
                    payload: [
                        "clipId": "c1", "media": .string("\(fixture.environment)_clips/c1.mp4"),
                    ], maxAttempts: 5))
            let done = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server, results: results.store))) { _ in
                try await QueueFixture.eventually {
                    let depth = try await fixture.queue.depth()
                    return server.requests.count == 3 && depth.queued + depth.inFlight + depth.retrying == 0
                }
            }
            #expect(done)
            #expect(server.requests.count == 3)
            #expect(try await fixture.queue.depth().dead == 0)
            // The stage row keeps the attempt that finished it.
            #expect(try await results.store.stages("c1").first { $0.stage == "clipbot:post" }?.attempts == 3)
        }
    }

    @Test func anUnreachableEndpointIsRetriedThenDeadLetteredAsExhausted() async throws {
        let fixture = try await QueueFixture()
        let port = try UnusedLoopbackPort.make()
        let context = HandlerContext(
            settings: fixture.settings, http: HTTPClient(runtime: try CurlRuntime()),
            clipbotNotifyURL: "http://127.0.0.1:\(port)/v1/notify")
        try await fixture.queue.enqueue(JobEnvelope(id: "nobody", type: "clipbot:notify", payload: ["message": "m"], maxAttempts: 2))
        let dead = try await fixture.withWorker(handlers: Self.handlers(context)) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(dead)
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.reason == .exhausted)
        #expect(letter.attempts == 2)
        #expect(letter.error.hasPrefix("CLIPBOT_NOTIFY_URL:"))
    }

    @Test func mediaOutsideTheFolderIsRefusedWithoutARequest() async throws {
        let fixture = try await QueueFixture()
        let server = try LoopbackHTTPServer { _ in .respond(.json("{}")) }
        defer { server.stop() }
        try await fixture.queue.enqueue(
            JobEnvelope(
                id: "escape", type: "clipbot:post",
                payload: [
                    "clipId": "c1", "media": "prod_clips/c1.mp4",
                ]))
        let dead = try await fixture.withWorker(handlers: Self.handlers(try Self.context(fixture, server: server))) { _ in
            try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
        }
        #expect(dead)
        #expect(server.requests.isEmpty)
        #expect(try await fixture.queue.deadLetters().first?.reason == .invalidPayload)
    }

    @Test(arguments: [("clipbot:post", "CLIPBOT_POST_URL"), ("clipbot:notify", "CLIPBOT_NOTIFY_URL")])
    func anUnconfiguredEndpointIsAPermanentFailureNamingTheVariable(_ type: String, _ variable: String) async throws {
        try await withResults { results in
            let fixture = try await QueueFixture()
            _ = try await results.seedFinishedClip("c1", folder: "\(fixture.environment)_clips/")
            let context = HandlerContext(settings: fixture.settings, http: HTTPClient(runtime: try CurlRuntime()), results: results.store)
            try await fixture.queue.enqueue(
                JobEnvelope(
                    type: type,
                    payload: [
                        "clipId": "c1", "media": .string("\(fixture.environment)_clips/c1.mp4"), "message": "m",
                    ]))
            let dead = try await fixture.withWorker(handlers: Self.handlers(context)) { _ in
                try await QueueFixture.eventually { try await fixture.queue.depth().dead == 1 }
            }
            #expect(dead)
            let letter = try #require(try await fixture.queue.deadLetters().first)
            #expect(letter.reason == .permanent)
            #expect(letter.error == "\(variable) is not configured")
        }
    }
}
