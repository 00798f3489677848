import ClipnetConfig
import ClipnetFormats
import ClipnetJSON
import Foundation
import RedisClient
import TestSupport
import Testing

@testable import WorkerEngine

/// The operator command line of the real `clipnet-worker` binary (built by `swift build
/// --build-tests`), run through `TestChild` (posix_spawn, standard input /dev/null, output and
/// exit collected on a thread of its own). Exit statuses: 0 done, 1 failed at run time, 2 the
/// command line or the configuration is wrong (docs/worker.md, "Exit status").
@Suite(.serialized) struct WorkerCommandLineTests {
    static func worker(_ arguments: [String], environment: [String: String] = [:]) async throws -> Subprocess.Result {
        try await TestChild.run(ChildProcess.productPath("clipnet-worker"), arguments, environment: environment)
    }

    /// What the operator commands need: the environment's name and its Redis.
    static func queueEnvironment(_ fixture: QueueFixture) -> [String: String] {
        ["CLIPNET_ENVIRONMENT": fixture.environment, "REDIS_URL": fixture.redisURL, "CLOUDINARY_FOLDER": ""]
    }

    // MARK: --version, help, typos

    @Test func versionPrintsTheReleaseBothBinariesShare() async throws {
        let result = try await Self.worker(["--version"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == ClipnetVersion.described)
    }

    @Test func aBareCommandPrintsHelpAndProcessesNothing() async throws {
        let fixture = try await QueueFixture()
        try await fixture.queue.enqueue(JobEnvelope(id: "waiting", type: "clipbot:notify", payload: .object(["message": .string("m")])))
        // Everything a worker needs to find the queue is set: a bare command must still not run
        // one. A default `run` would not exit by itself, so the wait is bounded (the child is
        // killed when the test lets go of it).
        let environment = WorkerProcessTests.environment(for: fixture, ["CLIPBOT_NOTIFY_URL": "http://127.0.0.1:9/notify"])
        let child = try TestChild.worker([], environment: environment)
        let ended = await eventually(within: .seconds(30)) { !child.isRunning }
        #expect(ended, "a bare clipnet-worker kept running: \(child.output)")
        guard ended else { return }
        let result = await child.exited()
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("USAGE: clipnet-worker <subcommand>"), "\(result.output)")
        #expect(result.output.contains("SUBCOMMANDS:"))
        #expect(!result.output.contains("refusing to start") && !result.output.contains("\"level\""), "\(result.output)")
        #expect(try await fixture.queue.depth().queued == 1)
        let heartbeats = try await fixture.queue.connection.command(["KEYS", .string(fixture.queue.keys.prefix + "workers:*")])
        #expect(heartbeats.array?.isEmpty == true)
    }

    @Test(arguments: [
        (["statuss"], "unknown command 'statuss' for 'clipnet-worker'; did you mean 'status'?"),
        (["rnu"], "unknown command 'rnu' for 'clipnet-worker'; did you mean 'run'?"),
        (["dead", "lsit"], "unknown command 'lsit' for 'clipnet-worker dead'; did you mean 'list'?"),
    ])
    func aMistypedSubcommandIsAUsageErrorWithASuggestion(_ arguments: [String], _ message: String) async throws {
        let result = try await Self.worker(arguments)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
        // Not `run`'s usage, which a default subcommand used to print.
        #expect(!result.output.contains("--concurrency"), "\(result.output)")
    }

    @Test func aWordFarFromEveryCommandGetsTheListButNoGuess() async throws {
        let result = try await Self.worker(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.output.contains("unknown command 'frobnicate'"))
        #expect(!result.output.contains("did you mean"))
        #expect(result.output.contains("run, enqueue, dead, status, demo"), "\(result.output)")
    }

    @Test func anUnknownOptionIsAUsageErrorExitingTwoAsTheReconcilers() async throws {
        let result = try await Self.worker(["dead", "list", "--limt", "3"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("--limt"), "\(result.output)")
    }

    // MARK: run: required settings

    @Test func aWorkerMissingItsHandlersSettingsRefusesToStartNamingEachVariableAndItsJobTypes() async throws {
        let fixture = try await QueueFixture()
        var environment = WorkerProcessTests.environment(for: fixture)
        for name in [
            "RUNPOD_ENDPOINT_ID", "RUNPOD_ENDPOINT_URL", "DATABASE_URL", "CLOUDINARY_URL", "CLOUDINARY_CLOUD_NAME",
            "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET",
        ] {
            environment[name] = ""
        }
        let result = try await Self.worker(WorkerProcessTests.workerArguments, environment: environment)
        #expect(result.status == 2, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let database = lines.first { $0.contains("DATABASE_URL is not set") }
        #expect(database?.contains("clip:process, ffmpeg:polish, ml:score, whisper:batch, clipbot:post") == true, "\(result.output)")
        let runpod = lines.first { $0.contains("RunPod is not configured") }
        #expect(runpod?.contains("RUNPOD_ENDPOINT_ID") == true && runpod?.contains("RUNPOD_ENDPOINT_URL") == true)
        #expect(runpod?.contains("clip:process, ml:score, whisper:batch") == true, "\(result.output)")
        let cloudinary = lines.first { $0.contains("Cloudinary is not configured") }
        #expect(cloudinary?.contains("CLOUDINARY_URL") == true && cloudinary?.contains("ffmpeg:polish") == true, "\(result.output)")
        #expect(try await fixture.queue.connection.command(["KEYS", .string(fixture.queue.keys.prefix + "workers:*")]).array?.isEmpty == true)
    }

    @Test func onlyTheSettingsOfTheJobTypesRunAreRequired() async throws {
        let fixture = try await QueueFixture()
        var environment = WorkerProcessTests.environment(for: fixture)
        environment["RUNPOD_ENDPOINT_ID"] = ""
        // ffmpeg:polish needs the database and Cloudinary, not RunPod.
        let polish = try await Self.worker(WorkerProcessTests.workerArguments + ["--job-type", "ffmpeg:polish"], environment: environment)
        #expect(polish.status == 2)
        #expect(polish.output.contains("Cloudinary is not configured") && polish.output.contains("DATABASE_URL is not set"))
        #expect(!polish.output.contains("RunPod"), "\(polish.output)")
        // The notifier needs none of them.
        let notifier = try TestChild.worker(WorkerProcessTests.notifierArguments, environment: environment)
        let started = try await QueueFixture.eventually(.seconds(20)) {
            try await fixture.queue.connection.command(["KEYS", .string(fixture.queue.keys.prefix + "workers:*")]).array?.isEmpty == false
        }
        #expect(started, "\(notifier.output)")
        #expect(await notifier.terminate() == 0)
    }

    @Test func aJobTypeThatIsNotCLIPNETsIsAUsageError() async throws {
        let result = try await Self.worker(["run", "--job-type", "clip:proces"])
        #expect(result.status == 2)
        #expect(result.output.contains("'clip:proces' is not a CLIPNET job type; did you mean 'clip:process'?"), "\(result.output)")
    }

    // MARK: enqueue

    @Test(arguments: [
        (["clip:proces", "{\"clipId\":\"c1\",\"source\":\"F/raw/c1.mp4\"}"], "unknown job type 'clip:proces'; did you mean 'clip:process'?"),
        (["clip:process", "{\"clipId\":\"c1\"}"], "clip:process payload: missing field 'source'"),
        (["clip:process", "{\"clipId\":7,\"source\":\"F/raw/c1.mp4\"}"], "clip:process payload: wrong type for 'clipId' (expected a string)"),
        (["whisper:batch", "{\"clipIds\":\"c1\",\"media\":[\"F/raw/c1.mp4\"]}"], "whisper:batch payload: wrong type for 'clipIds'"),
        (["whisper:batch", "{\"clipIds\":[\"c1\",\"c2\"],\"media\":[\"F/raw/c1.mp4\"]}"], "media and clipIds must be non-empty and of equal length"),
        (
            ["ffmpeg:polish", "{\"clipId\":\"c1\",\"input\":\"prod_clips/raw/c1.mp4\",\"output\":\"F/p/c1.mp4\"}"],
            "input 'prod_clips/raw/c1.mp4' is outside the environment's media folder 'F/'"
        ),
        (["clipbot:notify", "{\"message\":\"\"}"], "clipbot:notify payload: empty message"),
        (["clipbot:notify", "[1]"], "clipbot:notify payload: not a JSON object"),
        (["clipbot:notify", "{message"], "the payload is not JSON"),
    ])
    func enqueueRefusesAJobItsHandlerWouldRefuseAndPushesNothing(_ arguments: [String], _ reason: String) async throws {
        let fixture = try await QueueFixture()
        let folder = "\(fixture.environment)_clips"
        let resolved = arguments.map { $0.replacingOccurrences(of: "F/", with: folder + "/") }
        let result = try await Self.worker(["enqueue"] + resolved, environment: Self.queueEnvironment(fixture))
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains(reason.replacingOccurrences(of: "F/", with: folder + "/")), "\(result.output)")
        #expect(try await fixture.queue.connection.command(["LLEN", .string(fixture.queue.keys.queue)]).integer == 0)
        #expect(try await fixture.queue.depth().delayed == 0)
    }

    @Test func enqueuePushesAJobItsHandlerTakes() async throws {
        let fixture = try await QueueFixture()
        let payload = "{\"clipId\":\"c1\",\"source\":\"\(fixture.environment)_clips/raw/c1.mp4\"}"
        let result = try await Self.worker(["enqueue", "clip:process", payload, "--id", "job-1"], environment: Self.queueEnvironment(fixture))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "job-1")
        let raw = try await fixture.queue.connection.command(["LRANGE", .string(fixture.queue.keys.queue), "0", "-1"]).array ?? []
        #expect(raw.count == 1)
        let envelope = try JobEnvelope.parse(raw.first?.bytes ?? [])
        #expect(envelope.id == "job-1" && envelope.type == "clip:process")
        #expect(envelope.payload["clipId"]?.stringValue == "c1")
    }

    @Test func enqueueOfADrillTypeNeedsAnyType() async throws {
        let fixture = try await QueueFixture()
        let refused = try await Self.worker(["enqueue", "drill:crash"], environment: Self.queueEnvironment(fixture))
        #expect(refused.status == 2)
        #expect(try await fixture.queue.depth().queued == 0)
        let pushed = try await Self.worker(["enqueue", "drill:crash", "--any-type"], environment: Self.queueEnvironment(fixture))
        #expect(pushed.status == 0, "\(pushed.output)")
        #expect(try await fixture.queue.depth().queued == 1)
    }

    // MARK: dead list | redrive | purge

    static let diedAt: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z

    /// Two dead letters, written as the queue's scripts write them (member JSON, scored by diedAt).
    static func seedDead(_ fixture: QueueFixture) async throws -> [DeadLetter] {
        let letters = [
            DeadLetter(
                id: "dead-1", type: "clip:process", reason: .invalidPayload, error: "clip:process payload: missing field 'source'",
                attempts: 1, diedAt: diedAt, worker: "w1",
                envelope: try String(decoding: JobEnvelope(id: "dead-1", type: "clip:process", payload: .object([:])).encoded(), as: UTF8.self)),
            DeadLetter(
                id: "dead-2", type: "clipbot:notify", reason: .exhausted, error: "Clipbot answered 503\nsecond line",
                attempts: 5, diedAt: diedAt + 60_000, worker: "w2",
                envelope: try String(
                    decoding: JobEnvelope(
                        id: "dead-2", type: "clipbot:notify",
                        payload: .object(["message": .string("m")])
                    ).encoded(), as: UTF8.self)),
        ]
        for letter in letters {
            _ = try await fixture.queue.connection.command([
                "ZADD", .string(fixture.queue.keys.dead), RedisArgument(letter.diedAt), .bytes(try letter.encoded()),
            ])
        }
        return letters
    }

    @Test func deadListPrintsATableWithRFC3339TimesAndAgesByDefault() async throws {
        let fixture = try await QueueFixture()
        _ = try await Self.seedDead(fixture)
        let result = try await Self.worker(["dead", "list"], environment: Self.queueEnvironment(fixture))
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.output)")
        #expect(lines.first?.hasPrefix("DIED") == true && lines.first?.contains("AGE") == true && lines.first?.contains("REASON") == true)
        // Newest first; the age is relative to now, so only its form is checked.
        #expect(lines[1].hasPrefix(RFC3339.string(from: Date(timeIntervalSince1970: Double(Self.diedAt + 60_000) / 1000))), "\(lines[1])")
        #expect(lines[1].contains(" ago") && lines[1].contains("dead-2") && lines[1].contains("exhausted"))
        #expect(lines[1].contains("Clipbot answered 503 second line"), "the error is kept on one line")
        #expect(lines[2].hasPrefix("2026-01-01T00:00:00") && lines[2].contains("dead-1") && lines[2].contains("invalidPayload"), "\(lines[2])")
    }

    @Test func deadListWithOutputJSONKeepsTheJSONLinesScriptsRead() async throws {
        let fixture = try await QueueFixture()
        let letters = try await Self.seedDead(fixture)
        let result = try await Self.worker(["dead", "list", "-o", "json"], environment: Self.queueEnvironment(fixture))
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n")
        #expect(lines.count == 2)
        let decoded = try lines.map { try JSONDecoder().decode(DeadLetter.self, from: Data($0.utf8)) }
        #expect(decoded == letters.reversed())
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]).keys.sorted()
        #expect(keys == ["attempts", "diedAt", "envelope", "error", "id", "reason", "type", "worker"])
        let long = try await Self.worker(["dead", "list", "--output", "json"], environment: Self.queueEnvironment(fixture))
        #expect(long.output == result.output)
    }

    @Test func redriveOfAnUnknownIdFailsNamingItAndLeavesTheDeadSetAlone() async throws {
        let fixture = try await QueueFixture()
        _ = try await Self.seedDead(fixture)
        let unknown = try await Self.worker(["dead", "redrive", "--id", "no-such-job"], environment: Self.queueEnvironment(fixture))
        #expect(unknown.status == 1, "\(unknown.output)")
        #expect(unknown.output.contains("no dead job with id 'no-such-job'"), "\(unknown.output)")
        #expect(try await fixture.queue.depth().dead == 2)
        #expect(try await fixture.queue.depth().queued == 0)
        // A known id with an unknown one: the known one is re-driven, the command still fails.
        let mixed = try await Self.worker(["dead", "redrive", "--id", "dead-2", "--id", "nope"], environment: Self.queueEnvironment(fixture))
        #expect(mixed.status == 1)
        #expect(mixed.output.contains("re-driven: 1") && mixed.output.contains("'nope'"), "\(mixed.output)")
        #expect(try await fixture.queue.depth().dead == 1)
        #expect(try await fixture.queue.depth().queued == 1)
    }

    @Test func purgeWithoutYesAndNoTerminalRefusesAndDeletesNothing() async throws {
        let fixture = try await QueueFixture()
        _ = try await Self.seedDead(fixture)
        let refused = try await Self.worker(["dead", "purge"], environment: Self.queueEnvironment(fixture))
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.output.contains("--yes") && refused.output.contains("Nothing was purged"), "\(refused.output)")
        #expect(try await fixture.queue.depth().dead == 2)
        let confirmed = try await Self.worker(["dead", "purge", "--yes"], environment: Self.queueEnvironment(fixture))
        #expect(confirmed.status == 0, "\(confirmed.output)")
        #expect(confirmed.output.contains("purged: 2"))
        #expect(try await fixture.queue.depth().dead == 0)
    }
}
