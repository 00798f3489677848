import ClipnetConfig
import ClipnetContracts
import ClipnetJSON
import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

@testable import WorkerEngine

/// The real `clipnet-worker` binary as a child process (built by `swift build --build-tests`),
/// started and awaited through `TestChild` (no wait blocks the cooperative pool).
@Suite(.serialized) struct WorkerProcessTests {
    static let productionRedis = "redis://prod-redis.clipnet.internal:6379/0"

    /// The variables a staging-like worker starts with, production known only by fingerprint. The
    /// RunPod endpoint is named by id, as the manifests do (these tests run no GPU job).
    static func environment(for fixture: QueueFixture, _ extra: [String: String] = [:]) -> [String: String] {
        let production = IsolationFingerprints(
            environment: "production",
            entries: [
                .init(resource: .redis, fingerprint: Fingerprint.of(productionRedis)),
                .init(resource: .cloudinaryFolder, fingerprint: Fingerprint.of("prod_clips/")),
            ])
        return [
            "CLIPNET_ENVIRONMENT": fixture.environment, "REDIS_URL": fixture.redisURL,
            "CLOUDINARY_FOLDER": "\(fixture.environment)_clips/", "RUNPOD_NAMESPACE": "\(fixture.environment)-ns",
            "CLIPNET_PRODUCTION_FINGERPRINTS": production.jsonString(), "CLIPNET_VERSION": "test-version-1",
            "RUNPOD_ENDPOINT_ID": "test-endpoint-unused",
        ].merging(extra) { $1 }
    }

    static let workerArguments = ["run", "--concurrency", "8", "--metrics-port", "0", "--heartbeat-ttl-seconds", "1", "--log-level", "error"]
    /// The Clipbot notifier alone: the one CLIPNET job type that needs no database, GPU or
    /// Cloudinary, so these tests can run the real handlers without them.
    static let notifierArguments = workerArguments + ["--job-type", "clipbot:notify"]

    @Test func killNineAtRandomMomentsLosesNoJob() async throws {
        let fixture = try await QueueFixture()
        let received = Mutex<[String: Int]>([:])
        let server = try LoopbackHTTPServer { request in
            if let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any], let id = object["jobId"] as? String {
                received.withLock { $0[id, default: 0] += 1 }
            }
            return .respond(.json("{}"))
        }
        defer { server.stop() }
        let ids = (0..<2000).map { "kill-\($0)" }
        try await fixture.queue.enqueue(
            contentsOf: ids.map {
                JobEnvelope(id: $0, type: "clipbot:notify", payload: .object(["message": .string("m")]))
            })
        let environment = Self.environment(for: fixture, ["CLIPBOT_NOTIFY_URL": server.baseURL + "/notify"])
        for _ in 0..<20 {
            let child = try TestChild.worker(Self.notifierArguments, environment: environment)
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...450)))
            await child.killHard()
        }
        let survivor = try TestChild.worker(Self.notifierArguments, environment: environment)
        let finished = try await QueueFixture.eventually(.seconds(45)) {
            let depth = try await fixture.queue.depth()
            return depth.queued + depth.inFlight + depth.retrying + depth.delayed == 0
        }
        #expect(await survivor.terminate() == 0)
        #expect(finished)
        let counts = received.withLock { $0 }
        let dead = Set(try await fixture.queue.deadLetters(limit: 5000).compactMap(\.id))
        let lost = ids.filter { counts[$0] == nil && !dead.contains($0) }
        #expect(lost.isEmpty, "lost \(lost.count) jobs, for example \(lost.prefix(5))")
        let duplicates = counts.values.filter { $0 > 1 }.count
        print("kill -9 drill: \(ids.count) jobs, 20 kills, \(counts.count) completed, \(dead.count) dead, \(duplicates) ran more than once")
    }

    @Test func aPayloadThatCrashesTheWorkerEndsInTheDeadSetAfterItsAttempts() async throws {
        let fixture = try await QueueFixture()
        try await fixture.queue.enqueue(JobEnvelope(id: "poison", type: "drill:crash", maxAttempts: 2))
        let arguments = Self.workerArguments + ["--noop-only", "--crash-type", "drill:crash"]
        // Each worker takes the job and dies of it; the next one's reaper counts that delivery
        // once the dead worker's heartbeat has expired, and gives the job back or, the second
        // time, puts it in the dead set.
        for round in 1...2 {
            let child = try TestChild.worker(arguments, environment: Self.environment(for: fixture))
            let ended = await eventually(within: .seconds(30)) { !child.isRunning }
            #expect(ended, "round \(round): the worker did not take the poison job")
            #expect(await child.exited().status == 128 + SIGKILL)
        }
        let survivor = try TestChild.worker(arguments, environment: Self.environment(for: fixture))
        let dead = try await QueueFixture.eventually(.seconds(30)) { try await fixture.queue.depth().dead == 1 }
        #expect(dead)
        #expect(survivor.isRunning)
        #expect(await survivor.terminate() == 0)
        let letter = try #require(try await fixture.queue.deadLetters().first)
        #expect(letter.id == "poison")
        #expect(letter.reason == .workerDied)
        #expect(letter.error.hasPrefix("worker died while running it 2 times"))
        let depth = try await fixture.queue.depth()
        #expect(depth.queued + depth.inFlight + depth.retrying == 0)
    }

    @Test func aSigtermTheMomentTheHeartbeatAppearsIsAGracefulShutdown() async throws {
        let fixture = try await QueueFixture()
        let pattern = RedisArgument.string(fixture.queue.keys.prefix + "workers:*")
        // The first heartbeat is written during start-up; SIGTERM right then must already be
        // handled (exit 0, heartbeat removed), not the default action that leaves it behind.
        for attempt in 0..<10 {
            let child = try TestChild.worker(Self.notifierArguments, environment: Self.environment(for: fixture))
            // Poll back to back (one round trip apart) so the signal lands within about a
            // millisecond of the first heartbeat.
            let deadline = ContinuousClock.now.advanced(by: .seconds(20))
            var appeared = false
            while !appeared && ContinuousClock.now < deadline {
                appeared = try await fixture.queue.connection.command(["KEYS", pattern]).array?.isEmpty == false
            }
            #expect(appeared)
            let status = await child.terminate()
            #expect(status == 0, "attempt \(attempt): exit \(status)")
            #expect(
                try await fixture.queue.connection.command(["KEYS", pattern]).array?.isEmpty == true, "attempt \(attempt): heartbeat left behind")
        }
    }

    @Test func heartbeatCarriesTheVersionAndTheJobTypesRunAndSigtermRemovesIt() async throws {
        let fixture = try await QueueFixture()
        // clipbot:post needs the results database (the worker migrates it at start): a throwaway one.
        let database = try await WorkerTestDatabase.create(prefix: "heartbeat")
        do {
            try await Self.checkHeartbeat(fixture, databaseURL: database.url)
        } catch {
            await WorkerTestDatabase.drop(database.name)
            throw error
        }
        await WorkerTestDatabase.drop(database.name)
    }

    private static func checkHeartbeat(_ fixture: QueueFixture, databaseURL: String) async throws {
        let child = try TestChild.worker(
            notifierArguments + ["--job-type", "clipbot:post"],
            environment: environment(for: fixture, ["DATABASE_URL": databaseURL]))
        let appeared = try await QueueFixture.eventually(.seconds(20)) {
            let reply = try await fixture.queue.connection.command(["KEYS", fixture.queue.keys.prefix + "workers:*"])
            return reply.array?.first?.string != nil
        }
        #expect(appeared, "\(child.output)")
        let reply = try await fixture.queue.connection.command(["KEYS", fixture.queue.keys.prefix + "workers:*"])
        let key = try #require(reply.array?.first?.string)
        let worker = String(key.dropFirst((fixture.queue.keys.prefix + "workers:").count))
        let heartbeat = try #require(try await fixture.queue.heartbeat(worker: worker))
        #expect(heartbeat.version == "test-version-1")
        #expect(heartbeat.environment == fixture.environment)
        #expect(heartbeat.jobTypes.sorted() == ["clipbot:notify", "clipbot:post"], "\(heartbeat.jobTypes)")
        #expect(await child.terminate() == 0)
        #expect(try await fixture.queue.connection.command(["EXISTS", .string(key)]).integer == 0)
    }

    @Test(arguments: [
        ["REDIS_URL": productionRedis],
        ["CLOUDINARY_FOLDER": "prod_clips/"],
    ])
    func stagingWorkerRefusesProductionSettings(_ override: [String: String]) async throws {
        let fixture = try await QueueFixture()
        var environment = Self.environment(for: fixture, override)
        environment["CLIPNET_ENVIRONMENT"] = "staging"
        if override["CLOUDINARY_FOLDER"] == nil { environment["CLOUDINARY_FOLDER"] = "staging_clips/" }
        environment["RUNPOD_NAMESPACE"] = "staging"
        let failure = try await TestChild.run(ChildProcess.productPath("clipnet-worker"), Self.workerArguments, environment: environment)
        // A configuration error: exit 2, as the reconciler's (docs/worker.md, "Exit status").
        #expect(failure.status == 2)
        #expect(failure.output.contains("refusing to start"))
        #expect(!failure.output.contains("prod-redis.clipnet.internal"))
        let name = override.keys.first!
        #expect(failure.output.contains(name))
    }

    @Test func aWorkerWithoutARunPodEndpointRefusesToStartNamingBothVariables() async throws {
        let fixture = try await QueueFixture()
        var environment = Self.environment(for: fixture)
        environment["RUNPOD_ENDPOINT_ID"] = ""
        environment["RUNPOD_ENDPOINT_URL"] = ""
        let result = try await TestChild.run(
            ChildProcess.productPath("clipnet-worker"), Self.workerArguments + ["--job-type", "ml:score"],
            environment: environment.merging(["DATABASE_URL": try TestServices.postgresURL()]) { $1 })
        #expect(result.status == 2)
        #expect(result.output.contains("RunPod is not configured"))
        #expect(result.output.contains("RUNPOD_ENDPOINT_ID"))
        #expect(result.output.contains("RUNPOD_ENDPOINT_URL"))
        #expect(result.output.contains("ml:score run on the GPU"))
        // A worker that runs no GPU job type needs no endpoint.
        let noop = try TestChild.worker(Self.workerArguments + ["--noop-only", "--noop-type", "test:noop"], environment: environment)
        let appeared = try await QueueFixture.eventually(.seconds(20)) {
            try await fixture.queue.connection.command(["KEYS", .string(fixture.queue.keys.prefix + "workers:*")]).array?.isEmpty == false
        }
        #expect(appeared, "the no-op worker did not start: \(noop.output)")
        #expect(await noop.terminate() == 0)
    }
}
