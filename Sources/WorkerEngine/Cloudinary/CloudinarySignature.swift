import ClipnetFormats
import Crypto

/// Cloudinary's request signature for the Upload API: the parameters to sign, sorted by name, as
/// `name=value` joined by `&`, with the API secret appended, hashed with SHA-1 (or SHA-256 when the
/// account is set so) and written as lowercase hex.
///
/// `file`, `cloud_name`, `resource_type`, `api_key` (and the signature itself) are not signed.
/// Empty values are left out, as Cloudinary's SDKs do.
public enum CloudinarySignature {
    /// The parameter names that are sent but never signed.
    public static let unsigned: Set<String> = ["file", "cloud_name", "resource_type", "api_key", "signature", "signature_algorithm"]

    /// The text that is hashed, without the secret (what Cloudinary quotes in an "Invalid Signature" error).
    public static func stringToSign(_ parameters: [String: String]) -> String {
        parameters.filter { !unsigned.contains($0.key) && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    public static func sign(
        _ parameters: [String: String], secret: String,
        algorithm: CloudinaryConfiguration.SignatureAlgorithm
    ) -> String {
        let bytes = Array((stringToSign(parameters) + secret).utf8)
        switch algorithm {
        case .sha1: return Hex.lowercase(Array(Insecure.SHA1.hash(data: bytes)))
        case .sha256: return Hex.lowercase(Array(SHA256.hash(data: bytes)))
        }
    }
}
