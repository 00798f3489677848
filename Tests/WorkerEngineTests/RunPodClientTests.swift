import Foundation
import HTTPTransport
import PlatformEmulators
import Testing
import TestSupport
@testable import WorkerEngine

@Suite struct RunPodClientTests {
    static func withEmulator<T: Sendable>(_ body: @Sendable (RunPodEmulator, RunPodClient) async throws -> T) async throws -> T {
        let emulator = RunPodEmulator(port: try UnusedLoopbackPort.make())
        let http = HTTPClient(runtime: try CurlRuntime())
        var client = RunPodClient(http: http, endpointURL: emulator.baseURL, apiKey: emulator.apiKey, namespace: "staging",
                                  modelPaths: ["score": "/runpod-volume/staging/score-v3", "whisper": "/runpod-volume/staging/whisper"])
        client.pollInterval = .milliseconds(10)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await emulator.run() }
            defer { group.cancelAll() }
            let up = await QueueFixture.eventually(.seconds(10)) {
                (try? await http.send(HTTPRequest(url: emulator.baseURL + "/health")))?.status == 200
            }
            guard up else { throw QueueError(.configuration, "RunPod emulator did not start") }
            return try await body(emulator, client)
        }
    }

    @Test func completedJobReturnsItsOutputAndEveryRequestCarriesTheNamespaceAndModelPath() async throws {
        try await Self.withEmulator { emulator, client in
            let output = try await client.run(task: "score", model: "score", input: ["media": .string("staging_clips/a.mp4")])
            #expect(output["namespace"] == .string("staging"))
            let input = try #require(emulator.submittedInputs.first)
            #expect(input["namespace"] == "staging")
            #expect(input["modelPath"] == "/runpod-volume/staging/score-v3")
            #expect(input["task"] == "score")
        }
    }

    @Test(arguments: [RunPodEmulator.Fault.failed, .timedOut])
    func failedOrTimedOutJobIsATransientFailure(_ fault: RunPodEmulator.Fault) async throws {
        try await Self.withEmulator { emulator, client in
            emulator.injectJobFaults([fault])
            let failure = try await #require(throws: JobFailure.self) {
                try await client.run(task: "transcribe", model: "whisper", input: [:])
            }
            #expect(failure.code == .transient)
            #expect(failure.message.contains(fault == .failed ? "FAILED" : "TIMED_OUT"))
        }
    }

    @Test func rateLimitedRequestsAreRetriedAfterRetryAfter() async throws {
        try await Self.withEmulator { emulator, client in
            emulator.injectRateLimits(2)
            let output = try await client.run(task: "score", model: "score", input: [:])
            #expect(output["ok"] == .bool(true))
        }
    }

    @Test func unknownModelIsAPermanentFailureWithoutARequest() async throws {
        try await Self.withEmulator { emulator, client in
            let failure = try await #require(throws: JobFailure.self) { try await client.run(task: "caption", model: "blip", input: [:]) }
            #expect(failure.code == .permanent)
            #expect(emulator.submittedInputs.isEmpty)
        }
    }
}
