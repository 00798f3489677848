import Foundation

/// `ffmpeg:polish`: downloads the source from the environment's Cloudinary folder into a temporary
/// folder, runs ffmpeg on it (a child process with a timeout), uploads the result back into the
/// folder under the output's public id, and keeps the polished media id in PostgreSQL.
public struct FFmpegPolishHandler: JobHandler, HandlerContract {
    public struct Payload: Codable, Sendable {
        public var clipId: String
        public var input: String
        public var output: String
    }

    public static let jobType = "ffmpeg:polish"
    public static let requiredSettings: [RequiredSetting] = [.database, .cloudinary]
    public var jobType: String { Self.jobType }
    let context: HandlerContext

    public init(context: HandlerContext) { self.context = context }

    public static func check(_ payload: Payload, folder: MediaFolder) throws {
        _ = try folder.confine(payload.input, field: "input")
        _ = try folder.confine(payload.output, field: "output")
    }

    public func handle(_ job: Job) async throws {
        let payload = try Self.validated(job.payload, folder: context.folder)
        let input = try context.folder.confine(payload.input, field: "input")
        let output = try context.folder.confine(payload.output, field: "output")
        let results = try context.requireResults()
        let cloudinary = try context.requireCloudinary()
        try await results.ensureClip(payload.clipId, sourceMedia: input)

        try await StageRun(context: context, job: job).run(clipId: payload.clipId, stage: .polish) {
            // A run that uploaded and then died before marking the stage done already saved the id.
            if try await results.clip(payload.clipId)?.polishedMediaId != nil { return }
            let source = CloudinaryAsset(mediaPath: input)
            let target = CloudinaryAsset(mediaPath: output)
            let timer = context.timer
            let uploaded = try await ScratchDirectory.with(in: context.scratchRoot) { scratch in
                let inputPath = scratch.path + "/input." + (source.format ?? "bin")
                let outputPath = scratch.path + "/output." + (target.format ?? "mp4")
                try await timer.time("cloudinary") { try await cloudinary.download(source, to: inputPath) }
                let result = try await timer.time("ffmpeg") {
                    try await Subprocess.run(
                        context.ffmpegPath,
                        ["-nostdin", "-y", "-loglevel", "error", "-i", inputPath]
                            + context.ffmpegArguments + [outputPath], timeout: context.ffmpegTimeout)
                }
                guard result.status == 0 else {
                    throw JobFailure.transient("ffmpeg exited \(result.status): \(result.output.suffix(400))")
                }
                return try await timer.time("cloudinary") { try await cloudinary.upload(file: outputPath, as: target) }
            }
            // The versionless delivery URL: the same for every upload of this id, so a re-run
            // after a crash leaves the same row (the upload's own URL carries a new version).
            try await results.savePolished(
                payload.clipId, mediaId: uploaded.publicId, url: try cloudinary.deliveryURL(target),
                bytes: uploaded.bytes)
        }
    }
}

/// A fresh folder for one job's media files (the downloaded source, ffmpeg's output), removed
/// with everything in it when the job's work ends: on success, on a failure, and on cancellation.
/// A SIGKILLed worker leaves it behind, named `clipnet-worker.XXXXXX` under the scratch root.
struct ScratchDirectory: Sendable {
    let path: String

    /// Runs `body` with a new folder under `root` (the temporary folder when nil), then removes it
    /// whether `body` returns or throws.
    ///
    /// Why a scope and not a `deinit`: an object's lifetime ends at its last use, not at the end
    /// of the block, so an optimised build could remove the folder while ffmpeg still writes to it.
    static func with<T: Sendable>(in root: String?, _ body: (ScratchDirectory) async throws -> T) async throws -> T {
        let directory = try ScratchDirectory(root: root ?? NSTemporaryDirectory())
        do {
            let result = try await body(directory)
            directory.remove()
            return result
        } catch {
            directory.remove()
            throw error
        }
    }

    private init(root: String) throws {
        let template = (root as NSString).appendingPathComponent("clipnet-worker.XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let made = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw JobFailure.transient("could not create a temporary folder under \(root): errno \(errno)")
        }
        path = String(cString: made)
    }

    private func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
