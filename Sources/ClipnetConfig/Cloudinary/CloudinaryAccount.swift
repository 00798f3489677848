import Foundation

/// A Cloudinary account as the worker's variables name it. One parser for the worker (which
/// uploads with the account) and the reconciler (which checks the environment's folder with it),
/// so both read the same variables the same way. The API secret stays a `SecretValue`: printing
/// an account shows `<redacted:...>`.
public struct CloudinaryAccount: Sendable, Hashable, CustomStringConvertible {
    /// Cloudinary's Upload and Admin API base.
    public static let defaultAPIBaseURL = "https://api.cloudinary.com"

    public var cloudName: String
    public var apiKey: String
    public var apiSecret: SecretValue
    /// `CLOUDINARY_API_BASE_URL` without a trailing `/` (an emulator in tests); nil when unset.
    public var apiBaseURL: String?

    public init(cloudName: String, apiKey: String, apiSecret: SecretValue, apiBaseURL: String? = nil) {
        self.cloudName = cloudName
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.apiBaseURL = apiBaseURL
    }

    public var description: String { "CloudinaryAccount(cloud: \(cloudName), key: \(apiKey))" }

    /// A variable is malformed or the account is partly configured; the message names the
    /// variable, never its value.
    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// From `CLOUDINARY_URL` (`cloudinary://<key>:<secret>@<cloud>`, the form Cloudinary's SDKs
    /// read) or `CLOUDINARY_CLOUD_NAME`, `CLOUDINARY_API_KEY`, `CLOUDINARY_API_SECRET`, plus
    /// `CLOUDINARY_API_BASE_URL`. Empty values count as unset. Nil when no account is configured.
    public static func fromEnvironment(_ environment: [String: String]) throws(Malformed) -> CloudinaryAccount? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var cloud = value("CLOUDINARY_CLOUD_NAME"), key = value("CLOUDINARY_API_KEY")
        var secret = value("CLOUDINARY_API_SECRET").map { SecretValue(name: "CLOUDINARY_API_SECRET", value: $0) }
        if let url = value("CLOUDINARY_URL") {
            guard let components = URLComponents(string: url), components.scheme == "cloudinary", let host = components.host,
                let user = components.user, let password = components.password
            else { throw Malformed(message: "CLOUDINARY_URL is not cloudinary://<api key>:<api secret>@<cloud name>") }
            cloud = host
            key = user.removingPercentEncoding ?? user
            secret = SecretValue(name: "CLOUDINARY_URL", value: password.removingPercentEncoding ?? password)
        }
        guard cloud != nil || key != nil || secret != nil else { return nil }
        guard let cloud, let key, let secret else {
            throw Malformed(
                message:
                    "Cloudinary is partly configured: set CLOUDINARY_URL, or all of CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET"
            )
        }
        let base = value("CLOUDINARY_API_BASE_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        return CloudinaryAccount(cloudName: cloud, apiKey: key, apiSecret: secret, apiBaseURL: base)
    }
}
