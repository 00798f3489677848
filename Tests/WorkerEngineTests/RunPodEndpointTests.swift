import ClipnetConfig
import ClipnetJSON
import Logging
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// Which RunPod endpoint the worker calls: the manifests' `RUNPOD_ENDPOINT_ID`, or an explicit
/// `RUNPOD_ENDPOINT_URL`; and what happens at start-up without either.
@Suite struct RunPodEndpointTests {
    static let settings = WorkerSettings(
        environment: "staging", redisURL: "redis://127.0.0.1:1/0", cloudinaryFolder: "staging_clips/",
        runpodNamespace: "clipnet-staging", runpodModelPaths: ["blip": "/m/blip"])

    @Test func theManifestsEndpointIdBecomesRunPodsServerlessURL() throws {
        #expect(try RunPodEndpoint.url(from: ["RUNPOD_ENDPOINT_ID": "xtplpft75v2seh"]) == "https://api.runpod.ai/v2/xtplpft75v2seh")
    }

    @Test func anExplicitURLOverridesTheId() throws {
        let environment = ["RUNPOD_ENDPOINT_ID": "xtplpft75v2seh", "RUNPOD_ENDPOINT_URL": "http://127.0.0.1:4010/"]
        #expect(try RunPodEndpoint.url(from: environment) == "http://127.0.0.1:4010")
    }

    @Test func neitherSetIsNoEndpoint() throws {
        #expect(try RunPodEndpoint.url(from: [:]) == nil)
        #expect(try RunPodEndpoint.url(from: ["RUNPOD_ENDPOINT_ID": " ", "RUNPOD_ENDPOINT_URL": ""]) == nil)
    }

    @Test(arguments: ["xtpl/../../v1/other", "id?x=1", "id#f", "id with space", "ïd"])
    func anIdThatIsNotAnEndpointIdIsRefusedWithoutEchoingIt(_ id: String) throws {
        let error = try #require(throws: PipelineStartupError.self) { try RunPodEndpoint.url(from: ["RUNPOD_ENDPOINT_ID": id]) }
        #expect(error.message.contains("RUNPOD_ENDPOINT_ID"))
        #expect(!error.message.contains(id))
    }

    @Test func aURLThatIsNotHTTPIsRefused() throws {
        let error = try #require(throws: PipelineStartupError.self) { try RunPodEndpoint.url(from: ["RUNPOD_ENDPOINT_URL": "file:///etc/passwd"]) }
        #expect(error.message.contains("RUNPOD_ENDPOINT_URL"))
    }

    @Test func theWorkersContextCallsTheEndpointNamedById() throws {
        let context = try HandlerContext.fromEnvironment(
            ["RUNPOD_ENDPOINT_ID": "xtplpft75v2seh", "RUNPOD_API_KEY": "k"], settings: Self.settings,
            metrics: WorkerMetrics(), logger: QueueFixture.quietLogger)
        #expect(context.runpod?.endpointURL == "https://api.runpod.ai/v2/xtplpft75v2seh")
        #expect(context.runpod?.namespace == "clipnet-staging")
    }

    @Test func startUpWithoutAnEndpointIsRefusedNamingBothVariables() async throws {
        let context = try HandlerContext.fromEnvironment([:], settings: Self.settings, metrics: WorkerMetrics(), logger: QueueFixture.quietLogger)
        #expect(context.runpod == nil)
        let error = await #expect(throws: PipelineStartupError.self) { try await context.prepare(logger: QueueFixture.quietLogger) }
        #expect(error?.message.contains("RUNPOD_ENDPOINT_ID") == true)
        #expect(error?.message.contains("RUNPOD_ENDPOINT_URL") == true)
        #expect(error?.message.contains("ml:score") == true)
    }

    @Test func aMissingModelPathIsAWarningAtStartAndAClearPermanentFailureOfItsStage() async throws {
        // Staging's manifests name no RUNPOD_MODEL_SCORE: the worker starts, warns, and ml:score
        // fails permanently naming the variable (no crash, no retries).
        let capture = CapturingLogHandler()
        let context = try HandlerContext.fromEnvironment(
            ["RUNPOD_ENDPOINT_ID": "xtplpft75v2seh"], settings: Self.settings,
            metrics: WorkerMetrics(), logger: capture.logger)
        try await context.prepare(logger: capture.logger)
        let warnings = capture.lines.withLock { $0 }.filter { $0.hasPrefix("warning ") }
        #expect(warnings.contains { $0.contains("RUNPOD_MODEL_SCORE") && $0.contains("ml:score") })
        #expect(!warnings.contains { $0.contains("RUNPOD_MODEL_BLIP") })
        let runpod = try #require(context.runpod)
        let failure = try await #require(throws: JobFailure.self) { try await runpod.run(task: "score", model: "score", input: [:]) }
        #expect(failure.code == .permanent)
        #expect(failure.message.contains("RUNPOD_MODEL_SCORE"))
    }
}
