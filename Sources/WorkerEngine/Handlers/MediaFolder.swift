/// The environment's Cloudinary folder (`staging_clips/`), and the check that keeps every media
/// path a job names inside it: a staging job can never read or write production media.
public struct MediaFolder: Sendable, Hashable {
    public let prefix: String

    public init(_ folder: String) {
        prefix = folder.hasSuffix("/") ? folder : folder + "/"
    }

    /// `path` if it lies inside the folder; else an `invalidPayload` failure (not retried).
    public func confine(_ path: String, field: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix(prefix), path.count > prefix.count, !parts.contains(".."), !parts.contains("."),
              !path.contains("\\"), !path.contains("\0")
        else {
            throw JobFailure.invalidPayload("\(field) '\(path)' is outside the environment's media folder '\(prefix)'")
        }
        return path
    }
}
