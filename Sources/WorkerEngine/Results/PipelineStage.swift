/// The stages of a clip's pipeline, named after the job type that runs them, as recorded in
/// `clip_stages`.
public enum PipelineStage: String, Sendable, CaseIterable {
    /// Captions (BLIP, or the CLIP fallback) and motion, then the next stages enqueued.
    case process = "clip:process"
    case polish = "ffmpeg:polish"
    case transcript = "whisper:batch"
    case score = "ml:score"
    case post = "clipbot:post"

    /// What must be done before a clip may be posted.
    public static let required: [PipelineStage] = [.process, .polish, .transcript, .score]
}
