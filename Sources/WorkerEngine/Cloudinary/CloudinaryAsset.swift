/// A media path of a job (`staging_clips/raw/c1.mp4`) as Cloudinary names it: a public id
/// (`staging_clips/raw/c1`), a resource type and a format.
public struct CloudinaryAsset: Sendable, Hashable {
    public enum ResourceType: String, Sendable { case image, video, raw }

    /// For `raw` assets the public id keeps the extension (Cloudinary's rule); `format` is then nil.
    public let publicId: String
    public let resourceType: ResourceType
    public let format: String?

    /// Audio counts as `video` in Cloudinary.
    static let videoFormats: Set<String> = ["mp4", "mov", "webm", "mkv", "m4v", "avi", "mp3", "m4a", "wav", "aac", "ogg"]
    static let imageFormats: Set<String> = ["jpg", "jpeg", "png", "gif", "webp", "avif"]

    public init(mediaPath: String) {
        let name = mediaPath.split(separator: "/").last.map(String.init) ?? mediaPath
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            let ext = String(name[name.index(after: dot)...]).lowercased()
            let stem = String(mediaPath.dropLast(ext.count + 1))
            if Self.videoFormats.contains(ext) {
                self.init(publicId: stem, resourceType: .video, format: ext)
                return
            }
            if Self.imageFormats.contains(ext) {
                self.init(publicId: stem, resourceType: .image, format: ext)
                return
            }
        }
        self.init(publicId: mediaPath, resourceType: .raw, format: nil)
    }

    public init(publicId: String, resourceType: ResourceType, format: String?) {
        self.publicId = publicId
        self.resourceType = resourceType
        self.format = format
    }

    /// The folder part of the public id (`staging_clips/raw`), used as `asset_folder` in dynamic mode.
    public var folderPath: String {
        publicId.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }

    /// `<public id>.<format>`, the last part of a delivery URL.
    public var deliveryName: String { format.map { "\(publicId).\($0)" } ?? publicId }
}
