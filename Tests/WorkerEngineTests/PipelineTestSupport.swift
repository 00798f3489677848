import Foundation
import HTTPTransport
import Logging
import PlatformEmulators
import PostgresClient
import Synchronization
import TestSupport

@testable import WorkerEngine

/// A throwaway database on the test PostgreSQL server with the worker's schema, and its store.
final class ResultsFixture: Sendable {
    let name: String
    let url: String
    let store: ClipResultsStore

    init() async throws {
        let created = try await WorkerTestDatabase.create(prefix: "worker")
        name = created.name
        url = created.url
        store = ClipResultsStore(url: url, logger: QueueFixture.quietLogger)
        try await store.migrate()
    }

    /// A clip whose every required stage is done, as the pipeline would leave it.
    func seedFinishedClip(_ clipId: String, folder: String) async throws -> ClipRecord {
        try await store.ensureClip(clipId, sourceMedia: "\(folder)raw/\(clipId).mp4")
        try await store.saveCaption(clipId, caption: "caption of \(clipId)", model: "blip")
        try await store.saveMotion(clipId, motionJSON: #"{"score":0.5}"#)
        try await store.saveTranscript(clipId, transcript: "transcript of \(clipId)")
        try await store.saveScore(clipId, score: 0.25)
        try await store.savePolished(clipId, mediaId: "\(folder)polished/\(clipId)", url: "https://example.test/\(clipId).mp4", bytes: 10)
        for stage in PipelineStage.required { try await store.stageDone(clipId, stage, attempt: 1) }
        return try await store.clip(clipId)!
    }

    /// Every row of both tables, timestamps left out, for before/after comparisons.
    func snapshot(withTimestamps: Bool = false, withoutAttempts: Bool = false) async throws -> [String] {
        let connection = try await PostgresConnection.connect(url: url)
        let stamp = withTimestamps ? ", updated_at::text" : ""
        let attempts = withoutAttempts ? "" : ", attempts::text"
        let clips = try await connection.query(
            "SELECT clip_id, source_media, caption, caption_model, motion::text, transcript, score::text, polished_media_id, polished_url, polished_bytes::text\(stamp) FROM clip_results ORDER BY clip_id"
        )
        let stages = try await connection.query(
            "SELECT clip_id, stage, status\(attempts), last_error\(stamp) FROM clip_stages ORDER BY clip_id, stage")
        await connection.close()
        return clips.map { "clip " + $0.values.map { $0 ?? "NULL" }.joined(separator: " | ") }
            + stages.map { "stage " + $0.values.map { $0 ?? "NULL" }.joined(separator: " | ") }
    }

    func drop() async {
        await store.close()
        await WorkerTestDatabase.drop(name)
    }
}

/// Runs `body` with a fresh `ResultsFixture`, dropped afterwards whether `body` throws or not.
func withResults<T: Sendable>(_ body: @Sendable (ResultsFixture) async throws -> T) async throws -> T {
    let fixture = try await ResultsFixture()
    do {
        let result = try await body(fixture)
        await fixture.drop()
        return result
    } catch {
        await fixture.drop()
        throw error
    }
}

/// A Cloudinary emulator on a loopback port for the duration of `body`, with the environment's
/// folder created, and a client for `folder` configured against it.
func withCloudinaryEmulator<T: Sendable>(
    folder: String, createFolder: Bool = true,
    _ configuration: CloudinaryEmulator.Configuration = CloudinaryEmulator.Configuration(),
    _ body: @Sendable (CloudinaryEmulator, CloudinaryClient) async throws -> T
) async throws -> T {
    let emulator = CloudinaryEmulator(configuration: configuration)
    if createFolder { emulator.createFolder(String(folder.dropLast())) }
    let server = try await emulator.start()
    let client = CloudinaryClient(configuration: cloudinaryConfiguration(emulator, server), folder: MediaFolder(folder), runtime: try CurlRuntime())
    do {
        let result = try await body(emulator, client)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

func cloudinaryConfiguration(_ emulator: CloudinaryEmulator, _ server: EmulatorServer, secret: String? = nil) -> CloudinaryConfiguration {
    CloudinaryConfiguration(
        cloudName: emulator.configuration.cloudName, apiKey: emulator.configuration.apiKey,
        apiSecret: secret ?? emulator.configuration.apiSecret, apiBaseURL: server.baseURL, deliveryBaseURL: server.baseURL,
        folderMode: emulator.configuration.dynamicFolders ? .dynamic : .fixed,
        signatureAlgorithm: emulator.configuration.sha256Signatures ? .sha256 : .sha1)
}

/// A short real clip made by ffmpeg from its `testsrc` and `sine` sources.
enum TestClip {
    static func make(seconds: Int = 1) async throws -> [UInt8] {
        let directory = try TemporaryDirectory(prefix: "clipnet-clip")
        let path = directory.appending("source.mp4")
        let result = try await Subprocess.run(
            "ffmpeg",
            [
                "-nostdin", "-y", "-loglevel", "error",
                "-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=160x120:rate=10",
                "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)",
                "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", path,
            ], timeout: .seconds(120))
        guard result.status == 0, let data = FileManager.default.contents(atPath: path) else {
            throw TestClipFailure(description: "ffmpeg could not make the test clip (is ffmpeg installed? make test installs it): \(result.output)")
        }
        return Array(data)
    }

    /// Whether `bytes` look like an MP4 file (an `ftyp` box first).
    static func isMP4(_ bytes: [UInt8]) -> Bool {
        bytes.count > 12 && Array(bytes[4..<8]) == Array("ftyp".utf8)
    }
}

struct TestClipFailure: Error, CustomStringConvertible {
    let description: String
}

/// The fast test settings of the pipeline's ffmpeg step (the production default adds loudnorm).
let fastPolishArguments = ["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-movflags", "+faststart"]
