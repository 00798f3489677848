/// One clip's row of `clip_results`: what its pipeline produced so far.
public struct ClipRecord: Sendable, Hashable {
    public var clipId: String
    public var sourceMedia: String
    public var caption: String?
    /// `blip`, or `clip` when the CLIP fallback produced the caption.
    public var captionModel: String?
    /// The motion result as JSON text.
    public var motion: String?
    public var transcript: String?
    public var score: Double?
    /// The polished clip's Cloudinary public id, inside the environment's folder.
    public var polishedMediaId: String?
    public var polishedURL: String?
    public var polishedBytes: Int64?
}

/// One row of `clip_stages`.
public struct StageRecord: Sendable, Hashable {
    public var stage: String
    /// `running`, `failed` or `done`.
    public var status: String
    /// The delivery that last wrote the row (1 for the first); a re-run of a done stage leaves it.
    public var attempts: Int
    public var lastError: String?
}
