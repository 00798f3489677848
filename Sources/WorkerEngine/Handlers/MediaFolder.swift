/// The environment's Cloudinary folder (`staging_clips/`), and the check that keeps every media
/// path a job names inside it: a staging job can never read or write production media.
public struct MediaFolder: Sendable, Hashable {
    public let prefix: String

    public init(_ folder: String) {
        prefix = folder.hasSuffix("/") ? folder : folder + "/"
    }

    /// `path` if it lies inside the folder; else an `invalidPayload` failure (not retried).
    ///
    /// Conservative on purpose: besides `..` and `.` segments, empty segments, and anything that
    /// is not an ASCII letter, digit, `_`, `-`, `.` or `/` is refused, so no percent-encoding,
    /// Unicode look-alike, query or fragment can name another folder once a server decodes it.
    public func confine(_ path: String, field: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard path.hasPrefix(prefix), path.count > prefix.count, !parts.contains(".."), !parts.contains("."),
            !parts.dropFirst().contains(where: \.isEmpty),
            path.unicodeScalars.allSatisfy(Self.allowed)
        else {
            throw JobFailure.invalidPayload("\(field) '\(path.prefix(200))' is outside the environment's media folder '\(prefix)'")
        }
        return path
    }

    private static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/": true
        default: false
        }
    }
}
