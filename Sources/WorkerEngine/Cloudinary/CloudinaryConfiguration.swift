import ClipnetConfig
import Foundation

/// How the worker reaches Cloudinary: the account, its credentials, and the limits of one call.
/// The API secret is kept private and never printed (`description` leaves it out).
public struct CloudinaryConfiguration: Sendable, CustomStringConvertible {
    /// Whether the account places assets in folders by their public id (`fixed`, accounts made
    /// before 2024-06-04) or by a separate `asset_folder` (`dynamic`, every newer account).
    public enum FolderMode: String, Sendable { case fixed, dynamic }

    /// The digest the account signs with: SHA-1 unless the account was switched to SHA-256.
    public enum SignatureAlgorithm: String, Sendable { case sha1, sha256 }

    public var cloudName: String
    public var apiKey: String
    let apiSecret: String
    /// `https://api.cloudinary.com` (Upload and Admin APIs); an emulator's URL in tests.
    public var apiBaseURL: String
    /// `https://res.cloudinary.com` (delivery).
    public var deliveryBaseURL: String
    public var folderMode: FolderMode
    public var signatureAlgorithm: SignatureAlgorithm
    /// Largest media file the worker downloads or uploads (Cloudinary's own limit for a plain
    /// video upload is 100 MB; larger files need chunked upload, which the worker does not do).
    /// Media is streamed to and from files, so this bounds disk use, not memory.
    public var maximumMediaBytes: Int
    /// Bound on one request, transfer included.
    public var requestTimeout: Duration
    /// A transfer that moves less than a byte a second for this long fails (and is retried):
    /// a stalled connection is given up long before `requestTimeout`.
    public var stallTimeout: Duration
    /// Tries per call on 5xx, 420, 429 and transport errors before the job fails (and is retried
    /// by the queue).
    public var attempts: Int

    public init(
        cloudName: String, apiKey: String, apiSecret: String, apiBaseURL: String = "https://api.cloudinary.com",
        deliveryBaseURL: String = "https://res.cloudinary.com", folderMode: FolderMode = .dynamic,
        signatureAlgorithm: SignatureAlgorithm = .sha1, maximumMediaBytes: Int = 100 << 20,
        requestTimeout: Duration = .seconds(300), stallTimeout: Duration = .seconds(30), attempts: Int = 4
    ) {
        self.cloudName = cloudName
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.apiBaseURL = apiBaseURL.hasSuffix("/") ? String(apiBaseURL.dropLast()) : apiBaseURL
        self.deliveryBaseURL = deliveryBaseURL.hasSuffix("/") ? String(deliveryBaseURL.dropLast()) : deliveryBaseURL
        self.folderMode = folderMode
        self.signatureAlgorithm = signatureAlgorithm
        self.maximumMediaBytes = maximumMediaBytes
        self.requestTimeout = requestTimeout
        self.stallTimeout = stallTimeout
        self.attempts = max(1, attempts)
    }

    public var description: String {
        "CloudinaryConfiguration(cloud: \(cloudName), api: \(apiBaseURL), folderMode: \(folderMode.rawValue))"
    }

    /// From the account variables (`CloudinaryAccount.fromEnvironment`, shared with the
    /// reconciler's folder check: `CLOUDINARY_URL` or `CLOUDINARY_CLOUD_NAME`, `CLOUDINARY_API_KEY`,
    /// `CLOUDINARY_API_SECRET`, and `CLOUDINARY_API_BASE_URL`) plus `CLOUDINARY_DELIVERY_BASE_URL`,
    /// `CLOUDINARY_FOLDER_MODE` (`dynamic`|`fixed`), `CLOUDINARY_SIGNATURE_ALGORITHM`
    /// (`sha1`|`sha256`) and `CLOUDINARY_MAX_MEDIA_BYTES`. Nil when no account is configured.
    /// - Throws: `JobFailure.permanent` naming the variable that is malformed (never its value).
    public static func fromEnvironment(_ environment: [String: String]) throws -> CloudinaryConfiguration? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let parsed: CloudinaryAccount?
        do {
            parsed = try CloudinaryAccount.fromEnvironment(environment)
        } catch {
            throw JobFailure.permanent(error.message)
        }
        guard let account = parsed else { return nil }
        var configuration = CloudinaryConfiguration(cloudName: account.cloudName, apiKey: account.apiKey, apiSecret: account.apiSecret.reveal())
        if let base = account.apiBaseURL { configuration.apiBaseURL = base }
        if let base = value("CLOUDINARY_DELIVERY_BASE_URL") { configuration.deliveryBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base }
        if let mode = value("CLOUDINARY_FOLDER_MODE") {
            guard let parsed = FolderMode(rawValue: mode) else { throw JobFailure.permanent("CLOUDINARY_FOLDER_MODE must be dynamic or fixed") }
            configuration.folderMode = parsed
        }
        if let algorithm = value("CLOUDINARY_SIGNATURE_ALGORITHM") {
            guard let parsed = SignatureAlgorithm(rawValue: algorithm) else {
                throw JobFailure.permanent("CLOUDINARY_SIGNATURE_ALGORITHM must be sha1 or sha256")
            }
            configuration.signatureAlgorithm = parsed
        }
        if let bytes = value("CLOUDINARY_MAX_MEDIA_BYTES") {
            guard let parsed = Int(bytes), parsed > 0 else { throw JobFailure.permanent("CLOUDINARY_MAX_MEDIA_BYTES must be a positive integer") }
            configuration.maximumMediaBytes = parsed
        }
        return configuration
    }
}
