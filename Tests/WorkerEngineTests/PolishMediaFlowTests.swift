import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import TestSupport
import Testing

@testable import WorkerEngine

/// `ffmpeg:polish`'s media files: streamed from and to Cloudinary through a per-job folder that is
/// gone when the job ends, whether it succeeded, failed or was cancelled.
@Suite struct PolishMediaFlowTests {
    /// Everything one direct run of the handler needs, with the job folders under `scratch`.
    struct Setup: Sendable {
        let fixture: QueueFixture
        let emulator: CloudinaryEmulator
        let server: EmulatorServer
        let results: ResultsFixture
        let scratch: TemporaryDirectory

        var folder: String { "\(fixture.environment)_clips/" }

        func context(secret: String? = nil, maximumMediaBytes: Int = 100 << 20, ffmpegPath: String = "ffmpeg") throws -> HandlerContext {
            var configuration = cloudinaryConfiguration(emulator, server, secret: secret)
            configuration.maximumMediaBytes = maximumMediaBytes
            configuration.attempts = 1
            let cloudinary = CloudinaryClient(configuration: configuration, folder: MediaFolder(folder), runtime: try CurlRuntime())
            return HandlerContext(
                settings: fixture.settings, cloudinary: cloudinary, results: results.store, ffmpegPath: ffmpegPath,
                ffmpegTimeout: .seconds(120), ffmpegArguments: fastPolishArguments, scratchRoot: scratch.path)
        }

        /// Runs `ffmpeg:polish` of `clipId` (source `raw/<clipId>.mp4`) once, as the processor would.
        func polish(_ clipId: String, context: HandlerContext) async throws {
            let envelope = JobEnvelope(
                id: "\(clipId):ffmpeg:polish", type: "ffmpeg:polish",
                payload: .object([
                    "clipId": .string(clipId), "input": .string("\(folder)raw/\(clipId).mp4"), "output": .string("\(folder)polished/\(clipId).mp4"),
                ]))
            let job = Job(envelope: envelope, attempt: 1, maxAttempts: 5, baseLogger: QueueFixture.quietLogger, queue: fixture.queue)
            try await FFmpegPolishHandler(context: context).handle(job)
        }

        /// What is left under the scratch root (job folders and anything in them).
        var leftovers: [String] {
            (FileManager.default.enumerator(atPath: scratch.path)?.allObjects as? [String]) ?? []
        }
    }

    static func with(_ body: @Sendable (Setup) async throws -> Void) async throws {
        let fixture = try await QueueFixture()
        let emulator = CloudinaryEmulator()
        emulator.createFolder("\(fixture.environment)_clips")
        let server = try await emulator.start()
        do {
            try await withResults { results in
                try await body(
                    Setup(
                        fixture: fixture, emulator: emulator, server: server, results: results,
                        scratch: try TemporaryDirectory(prefix: "clipnet-scratch")))
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aPolishedClipIsUploadedAndItsJobFolderIsGone() async throws {
        try await Self.with { setup in
            let source = try await TestClip.make()
            setup.emulator.seed(publicId: "\(setup.folder)raw/p1", bytes: source)
            try await setup.polish("p1", context: try setup.context())
            let polished = try #require(setup.emulator.asset("\(setup.folder)polished/p1"))
            #expect(TestClip.isMP4(polished.bytes))
            #expect(try await setup.results.store.clip("p1")?.polishedBytes == Int64(polished.bytes.count))
            #expect(setup.leftovers.isEmpty, "left behind: \(setup.leftovers)")
        }
    }

    @Test func aSourceOverTheMediaLimitFailsPermanentlyAndLeavesNothing() async throws {
        try await Self.with { setup in
            setup.emulator.seed(publicId: "\(setup.folder)raw/p2", bytes: Array(repeating: 7, count: 300_000))
            let failure = try await #require(throws: JobFailure.self) {
                try await setup.polish("p2", context: try setup.context(maximumMediaBytes: 100_000))
            }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("CLOUDINARY_MAX_MEDIA_BYTES"))
            #expect(setup.leftovers.isEmpty, "left behind: \(setup.leftovers)")
        }
    }

    @Test func aSourceFFmpegCannotReadFailsAndLeavesNothing() async throws {
        try await Self.with { setup in
            setup.emulator.seed(publicId: "\(setup.folder)raw/p3", bytes: Array("not really a video".utf8))
            let failure = try await #require(throws: JobFailure.self) { try await setup.polish("p3", context: try setup.context()) }
            #expect(failure.message.contains("ffmpeg exited"))
            #expect(setup.leftovers.isEmpty, "left behind: \(setup.leftovers)")
        }
    }

    @Test func anUploadCloudinaryRefusesFailsPermanentlyAndLeavesNothing() async throws {
        try await Self.with { setup in
            setup.emulator.seed(publicId: "\(setup.folder)raw/p4", bytes: try await TestClip.make())
            let failure = try await #require(throws: JobFailure.self) {
                try await setup.polish("p4", context: try setup.context(secret: "not-the-account-secret"))
            }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("Invalid Signature"))
            #expect(setup.emulator.uploads.isEmpty)
            #expect(setup.leftovers.isEmpty, "left behind: \(setup.leftovers)")
        }
    }

    /// Writes an executable script through a descriptor that no spawned child inherits past its
    /// exec (O_CLOEXEC), so it can be run as soon as this returns.
    static func writeExecutable(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        close(descriptor)
        guard written == bytes.count else { throw POSIXError(.EIO) }
    }

    @Test func aJobCancelledWhileFFmpegRunsLeavesNothing() async throws {
        try await Self.with { setup in
            // An "ffmpeg" that runs until it is killed: the job is cancelled with the source downloaded.
            let tools = try TemporaryDirectory(prefix: "clipnet-tools")
            let slow = tools.appending("ffmpeg")
            try Self.writeExecutable(slow, "#!/bin/sh\n[ \"$1\" = --ready ] && exit 0\nexec sleep 300\n")
            // Exec fails with ETXTBSY while any process still has the file open for writing (a
            // child another test spawned at that instant): wait until it runs.
            let runnable = await eventually(within: .seconds(30)) {
                (try? await TestChild.run(slow, ["--ready"]))?.status == 0
            }
            #expect(runnable)
            setup.emulator.seed(publicId: "\(setup.folder)raw/p5", bytes: Array(repeating: 1, count: 200_000))
            let context = try setup.context(ffmpegPath: slow)
            let job = Task { try await setup.polish("p5", context: context) }
            let downloaded = await eventually(within: .seconds(60)) {
                setup.leftovers.contains { $0.hasSuffix("/input.mp4") } && setup.emulator.downloads.count == 1
            }
            #expect(downloaded)
            job.cancel()
            await #expect(throws: CancellationError.self) { try await job.value }
            #expect(setup.leftovers.isEmpty, "left behind: \(setup.leftovers)")
        }
    }
}
