public import ClipnetConfig
import Foundation
import HTTPTransport

extension ServiceProbes {
    /// Admin API `GET {base}/v1_1/{cloud}/folders/{path}?max_results=1` with HTTP Basic
    /// `key:secret`, the worker's own start-up check: 200 exists, 404 missing. The base is the
    /// daemon's `CLOUDINARY_API_URL` when set, else the worker's `CLOUDINARY_API_BASE_URL`, else
    /// Cloudinary's. Messages name the status or the transport error, never a credential (the
    /// secret travels only in the Authorization header, which no message or log shows).
    public func cloudinaryFolder(_ folder: String, account: CloudinaryAccount) async -> ProbeResult<CloudinaryFolderState> {
        let base = cloudinaryAPIURL ?? account.apiBaseURL ?? CloudinaryAccount.defaultAPIBaseURL
        let path = Self.folderPath(folder)
        let url =
            "\(base.hasSuffix("/") ? String(base.dropLast()) : base)/v1_1/\(Self.encode(account.cloudName))/folders/\(Self.encode(path))?max_results=1"
        let credentials = Data("\(account.apiKey):\(account.apiSecret.reveal())".utf8).base64EncodedString()
        let request = HTTPRequest(
            url: url, headers: ["Authorization": "Basic \(credentials)", "Accept": "application/json"], timeout: timeout, connectTimeout: timeout)
        do {
            let response = try await client.send(request)
            switch response.status {
            case 200: return .reported(.exists)
            case 404: return .reported(.missing)
            case 401, 403: return .failed("Cloudinary refused the credentials of cloud \(account.cloudName) (HTTP \(response.status))")
            case 420, 429: return .failed("Cloudinary Admin API rate-limited the check (HTTP \(response.status))")
            default: return .failed("Cloudinary Admin API answered HTTP \(response.status)")
            }
        } catch {
            return .failed("Cloudinary Admin API unreachable: \(error)")
        }
    }

    /// The folder as the Admin API names it: `staging_clips/` is `staging_clips`.
    static func folderPath(_ folder: String) -> String {
        var path = Substring(folder)
        while path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// Percent-encodes a path segment of the URL, keeping `/` between folder levels.
    static func encode(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}
