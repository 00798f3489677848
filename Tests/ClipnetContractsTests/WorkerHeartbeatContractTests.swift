import ClipnetContracts
import Foundation
import Testing

/// The heartbeat contract between the worker (writer) and the reconciler (reader).
@Suite struct WorkerHeartbeatContractTests {
    @Test func whatTheWorkerWritesTheReconcilerReads() throws {
        let written = WorkerHeartbeat(
            workerId: "w-1", environment: "staging", version: "3f2a9c1e", startedAt: "2026-12-07T08:00:00Z",
            heartbeatAt: "2026-12-07T08:00:05Z", inFlight: 2, concurrency: 8, jobTypes: ["clip:process"], host: "h", pid: 7,
            deploymentId: "dep-1")
        let reading = try JSONDecoder().decode(WorkerHeartbeat.Reading.self, from: JSONEncoder().encode(written))
        #expect(reading.workerId == "w-1" && reading.version == "3f2a9c1e" && reading.startedAt == "2026-12-07T08:00:00Z")
        #expect(reading.heartbeatAt == "2026-12-07T08:00:05Z" && reading.deploymentId == "dep-1")
    }

    @Test func anOlderWorkersHeartbeatWithoutStartOrDeploymentStillReads() throws {
        let legacy = #"{"workerId":"w-0","environment":"staging","version":"abc","heartbeatAt":"2026-01-01T00:00:00Z"}"#
        let reading = try JSONDecoder().decode(WorkerHeartbeat.Reading.self, from: Data(legacy.utf8))
        #expect(reading.version == "abc" && reading.startedAt == nil && reading.deploymentId == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(WorkerHeartbeat.Reading.self, from: Data(#"{"workerId":"x"}"#.utf8)) }
    }

    @Test func theKeysAreTheEnvironmentsOwn() {
        let staging = WorkerKeyspace(environment: "staging")
        #expect(staging.queue == "clipnet:staging:queue" && staging.dead == "clipnet:staging:dead")
        #expect(staging.heartbeat(worker: "w-1") == "clipnet:staging:workers:w-1")
        #expect(staging.heartbeatPattern == "clipnet:staging:workers:*")
        #expect(!staging.heartbeat(worker: "w").hasPrefix(WorkerKeyspace(environment: "production").prefix))
    }
}
