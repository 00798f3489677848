import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import TestSupport
import Testing

@testable import WorkerEngine

@Suite struct RunPodClientTests {
    static let modelPaths = ["score": "/runpod-volume/staging/score-v3", "whisper": "/runpod-volume/staging/whisper"]

    static func withEmulator<T: Sendable>(
        submission: RunPodClient.Submission = .run,
        _ body: @Sendable (RunPodEmulator, RunPodClient) async throws -> T
    ) async throws -> T {
        try await withRunPodEmulator { emulator, server, http in
            var client = RunPodClient(
                http: http, endpointURL: server.baseURL, apiKey: emulator.apiKey, namespace: "staging",
                modelPaths: modelPaths, submission: submission)
            client.pollInterval = .milliseconds(10)
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
            #expect(emulator.log.all.allSatisfy { $0.headers["authorization"] == "Bearer \(emulator.apiKey)" })
            #expect(emulator.log.requests("POST", "/run").count == 1)
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
            #expect(emulator.log.all.filter(\.injectedFault).map(\.status) == [429, 429])
        }
    }

    @Test func persistentRateLimitingIsATransientFailure() async throws {
        try await Self.withEmulator { emulator, client in
            emulator.injectRateLimits(client.rateLimitRetries + 1)
            let failure = try await #require(throws: JobFailure.self) { try await client.run(task: "score", model: "score", input: [:]) }
            #expect(failure.code == .transient)
            #expect(failure.message.contains("429"))
        }
    }

    @Test func unknownModelIsAPermanentFailureWithoutARequest() async throws {
        try await Self.withEmulator { emulator, client in
            let failure = try await #require(throws: JobFailure.self) { try await client.run(task: "caption", model: "blip", input: [:]) }
            #expect(failure.code == .permanent)
            #expect(emulator.submittedInputs.isEmpty)
            #expect(emulator.log.all.isEmpty)
        }
    }

    @Test func wrongApiKeyIsAPermanentFailure() async throws {
        try await withRunPodEmulator { emulator, server, http in
            let client = RunPodClient(
                http: http, endpointURL: server.baseURL, apiKey: "not-the-key", namespace: "staging",
                modelPaths: Self.modelPaths)
            let failure = try await #require(throws: JobFailure.self) { try await client.run(task: "score", model: "score", input: [:]) }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("401"))
            #expect(!failure.message.contains("not-the-key"))
        }
    }

    // MARK: /runsync

    @Test func runSyncAnswersAFinishedJobInOneRequest() async throws {
        try await Self.withEmulator(submission: .runSync(wait: .seconds(5))) { emulator, client in
            let output = try await client.run(task: "score", model: "score", input: [:])
            #expect(output["ok"] == .bool(true))
            let requests = emulator.log.all
            #expect(requests.map(\.path) == ["/runsync"])
            #expect(requests.first?.queryValue("wait") == "5000")
            #expect(emulator.submittedInputs.first?["namespace"] == "staging")
        }
    }

    @Test func runSyncFallsBackToPollingStatusWhenTheJobOutlastsTheWait() async throws {
        try await Self.withEmulator(submission: .runSync(wait: .seconds(1))) { emulator, client in
            emulator.injectJobFaults([.heldInProgress(statusPolls: 3)])
            let output = try await client.run(task: "transcribe", model: "whisper", input: [:])
            #expect(output["ok"] == .bool(true))
            let paths = emulator.log.all.map(\.path)
            #expect(paths.first == "/runsync")
            #expect(paths.dropFirst().count == 3)
            #expect(paths.dropFirst().allSatisfy { $0.hasPrefix("/status/") })
        }
    }

    @Test func runSyncFailedJobIsATransientFailure() async throws {
        try await Self.withEmulator(submission: .runSync(wait: .seconds(2))) { emulator, client in
            emulator.injectJobFaults([.failed])
            let failure = try await #require(throws: JobFailure.self) { try await client.run(task: "score", model: "score", input: [:]) }
            #expect(failure.code == .transient)
            #expect(failure.message.contains("FAILED"))
            #expect(emulator.log.all.map(\.path) == ["/runsync"])
        }
    }

    @Test(arguments: [(Duration.milliseconds(10), "1000"), (.seconds(900), "300000")])
    func runSyncWaitIsClampedToTheAPIRange(_ wait: Duration, _ sent: String) async throws {
        try await Self.withEmulator(submission: .runSync(wait: wait)) { emulator, client in
            _ = try await client.run(task: "score", model: "score", input: [:])
            #expect(emulator.log.requests("POST", "/runsync").first?.queryValue("wait") == sent)
        }
    }
}
