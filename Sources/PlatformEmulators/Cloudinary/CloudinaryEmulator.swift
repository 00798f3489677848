public import ClipnetJSON
import Crypto
public import Foundation
import Synchronization

/// A loopback Cloudinary (Upload API, Admin API folders and listings, delivery) on the shared
/// emulator machinery, for the worker's tests and demo.
///
/// - `POST /v1_1/{cloud}/{image|video|raw}/upload`: multipart form with `file`, `public_id`,
///   `asset_folder` (dynamic folder mode) or `folder` (fixed mode), `timestamp`, `api_key`,
///   `signature`; the signature is verified (sorted `k=v` joined by `&`, secret appended, SHA-1 or
///   SHA-256 hex) and the timestamp must be under an hour old.
/// - `GET /v1_1/{cloud}/folders[/{path}]`: subfolders; 404 for a folder that does not exist.
/// - `GET /v1_1/{cloud}/resources/{type}/upload?prefix=` and `GET /v1_1/{cloud}/resources/by_asset_folder?asset_folder=`.
/// - `GET /{cloud}/{type}/upload/[v<version>/]{public id}.{format}`: delivery of the stored bytes.
///
/// Admin API calls need HTTP Basic `api_key:api_secret`. Errors have Cloudinary's shape
/// `{"error":{"message":"..."}}`; rate limits answer 420 or 429 with `X-FeatureRateLimit-*` headers.
public final class CloudinaryEmulator: EmulatedPlatform {
    public struct Configuration: Sendable {
        public var cloudName: String
        public var apiKey: String
        public var apiSecret: String
        /// `dynamic` (accounts made after 2024-06-04) or `fixed`.
        public var dynamicFolders: Bool
        /// Whether the account signs with SHA-256 instead of SHA-1.
        public var sha256Signatures: Bool

        public init(
            cloudName: String = "clipnet-test", apiKey: String = "test-cloudinary-key",
            apiSecret: String = "test-cloudinary-secret-never-logged", dynamicFolders: Bool = true, sha256Signatures: Bool = false
        ) {
            self.cloudName = cloudName
            self.apiKey = apiKey
            self.apiSecret = apiSecret
            self.dynamicFolders = dynamicFolders
            self.sha256Signatures = sha256Signatures
        }
    }

    public struct Asset: Sendable, Hashable {
        public var publicId: String
        public var resourceType: String
        public var format: String?
        public var assetFolder: String
        public var bytes: [UInt8]
        public var version: Int
    }

    struct State {
        var assets: [String: Asset] = [:]
        var folders: Set<String> = []
        var version = 1_700_000_000
        /// Queued 420 answers (Cloudinary's older rate-limit status) with their reset date.
        var rateLimits420: [String] = []
        var downloads: [String] = []
        var uploads: [String] = []
    }

    public let configuration: Configuration
    public let log = RequestLog()
    public let faults = FaultInjector()
    let state = Mutex(State())
    public var errorRenderer: any PlatformErrorRenderer { CloudinaryErrorRenderer() }

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self, log: log, faults: faults), name: "cloudinary-emulator")
    }

    // MARK: Seeding and inspection

    /// Creates a folder (and its parents), as the Media Library's "new folder" does.
    public func createFolder(_ path: String) {
        state.withLock { Self.addFolder(path, to: &$0.folders) }
    }

    /// Removes a folder and its subfolders, as someone tidying the Media Library by hand would
    /// (what the reconciler's folder check must notice).
    public func deleteFolder(_ path: String) {
        state.withLock { state in state.folders = state.folders.filter { $0 != path && !$0.hasPrefix(path + "/") } }
    }

    /// Stores an asset as if it had been uploaded (a job's source media).
    public func seed(publicId: String, resourceType: String = "video", format: String? = "mp4", bytes: [UInt8]) {
        let folder = publicId.split(separator: "/").dropLast().joined(separator: "/")
        state.withLock { state in
            state.version += 1
            state.assets["\(resourceType)/\(publicId)"] = Asset(
                publicId: publicId, resourceType: resourceType, format: format,
                assetFolder: folder, bytes: bytes, version: state.version)
            if !folder.isEmpty { Self.addFolder(folder, to: &state.folders) }
        }
    }

    public func asset(_ publicId: String, resourceType: String = "video") -> Asset? {
        state.withLock { $0.assets["\(resourceType)/\(publicId)"] }
    }

    /// Public ids delivered and uploaded, in order.
    public var downloads: [String] { state.withLock { $0.downloads } }
    public var uploads: [String] { state.withLock { $0.uploads } }

    /// The next `count` API requests are answered 420 with `X-FeatureRateLimit-Reset` at `reset`.
    public func injectRateLimit420(_ count: Int, reset: Date = Date()) {
        let text = Self.httpDate(reset)
        state.withLock { $0.rateLimits420 += Array(repeating: text, count: count) }
    }

    // MARK: EmulatedPlatform

    public func operationName(for request: EmulatorRequest) -> String? { nil }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        if let reset = state.withLock({ $0.rateLimits420.isEmpty ? nil : $0.rateLimits420.removeFirst() }) {
            return CloudinaryError.response(420, "Rate Limit Exceeded", headers: Self.rateLimitHeaders(reset: reset))
        }
        let s = request.pathSegments
        if s.first == "v1_1" {
            guard s.count >= 3, s[1] == configuration.cloudName else {
                return CloudinaryError.response(404, "Invalid cloud_name \(s.dropFirst().first ?? "")")
            }
            let rest = Array(s.dropFirst(2))
            if request.method == "POST", rest.count == 2, rest[1] == "upload", ["image", "video", "raw", "auto"].contains(rest[0]) {
                return upload(request, resourceType: rest[0])
            }
            guard authorizedAdmin(request) else { return CloudinaryError.response(401, "Invalid credentials") }
            switch (request.method, rest.first) {
            case ("GET", "folders"): return folders(Array(rest.dropFirst()).joined(separator: "/"))
            case ("GET", "resources") where rest.count == 2 && rest[1] == "by_asset_folder":
                return listing { $0.assetFolder == (request.queryValue("asset_folder") ?? "") }
            case ("GET", "resources") where rest.count == 3:
                let prefix = request.queryValue("prefix") ?? ""
                return listing { $0.resourceType == rest[1] && $0.publicId.hasPrefix(prefix) }
            default: return CloudinaryError.response(404, "Not found")
            }
        }
        if request.method == "GET", s.count >= 4, s[0] == configuration.cloudName, s[2] == "upload" {
            return deliver(resourceType: s[1], Array(s.dropFirst(3)))
        }
        return CloudinaryError.response(404, "Not found")
    }

    /// Admin actions (`POST /_emulator/<action>`): `folders/create` `{"path"}`; `assets/seed`
    /// `{"publicId","resourceType"?,"format"?,"base64"}`; `faults/rate-limit-420` `{"count"?}`.
    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? {
        switch action {
        case "folders/create":
            guard let path = body["path"]?.stringValue else { return AdminReply.badRequest("missing string field path") }
            createFolder(path)
            return AdminReply.ok
        case "assets/seed":
            guard let publicId = body["publicId"]?.stringValue, let data = body["base64"]?.stringValue.flatMap({ Data(base64Encoded: $0) })
            else { return AdminReply.badRequest("missing publicId or base64") }
            seed(
                publicId: publicId, resourceType: body["resourceType"]?.stringValue ?? "video",
                format: body["format"]?.stringValue ?? "mp4", bytes: Array(data))
            return AdminReply.ok
        case "faults/rate-limit-420":
            injectRateLimit420(max(1, Int(body["count"]?.numberValue ?? 1)))
            return AdminReply.ok
        default:
            return nil
        }
    }

    // MARK: Operations

    private func upload(_ request: EmulatorRequest, resourceType requested: String) -> EmulatorResponse {
        guard let form = MultipartForm(contentType: request.header("content-type") ?? "", body: request.body) else {
            return CloudinaryError.response(400, "Upload body must be multipart/form-data")
        }
        guard form.value("api_key") == configuration.apiKey else { return CloudinaryError.response(401, "Unknown API key") }
        guard let file = form.part("file"), !file.bytes.isEmpty else { return CloudinaryError.response(400, "Missing required parameter - file") }
        guard let timestamp = form.value("timestamp").flatMap(Int.init) else {
            return CloudinaryError.response(400, "Missing required parameter - timestamp")
        }
        let now = Int(Date().timeIntervalSince1970)
        guard now - timestamp <= 3600 else {
            return CloudinaryError.response(400, "Stale request - reported time is \(timestamp) which is more than 1 hour ago")
        }
        var signed: [String: String] = [:]
        for part in form.parts where part.name != "file" { signed[part.name] = part.text }
        let stringToSign = signed.filter { !Self.unsigned.contains($0.key) && !$0.value.isEmpty }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        let sha256 = configuration.sha256Signatures || form.value("signature_algorithm") == "sha256"
        let expected = Self.hex(Array((stringToSign + configuration.apiSecret).utf8), sha256: sha256)
        guard let signature = form.value("signature"), signature == expected else {
            return CloudinaryError.response(401, "Invalid Signature \(form.value("signature") ?? ""). String to sign - '\(stringToSign)'.")
        }
        var publicId = form.value("public_id") ?? UUID().uuidString.lowercased().prefix(20).description
        var assetFolder = ""
        if configuration.dynamicFolders {
            assetFolder = form.value("asset_folder") ?? ""
        } else if let folder = form.value("folder"), !folder.isEmpty {
            publicId = folder + "/" + publicId
        }
        if !configuration.dynamicFolders { assetFolder = publicId.split(separator: "/").dropLast().joined(separator: "/") }
        let resourceType = requested == "auto" ? "video" : requested
        var format: String? = nil
        if resourceType != "raw", let name = file.filename, let dot = name.lastIndex(of: ".") {
            format = String(name[name.index(after: dot)...]).lowercased()
        }
        let overwrite = form.value("overwrite") != "false"
        let asset = state.withLock { state -> Asset? in
            let key = "\(resourceType)/\(publicId)"
            if let existing = state.assets[key], !overwrite { return existing }
            state.version += 1
            let asset = Asset(
                publicId: publicId, resourceType: resourceType, format: format, assetFolder: assetFolder,
                bytes: file.bytes, version: state.version)
            state.assets[key] = asset
            state.uploads.append(publicId)
            if !assetFolder.isEmpty { Self.addFolder(assetFolder, to: &state.folders) }
            return asset
        }
        guard let asset else { return CloudinaryError.response(500, "General Error") }
        return .json(describe(asset))
    }

    private func deliver(resourceType: String, _ segments: [String]) -> EmulatorResponse {
        var parts = segments
        if let first = parts.first, first.hasPrefix("v"), Int(first.dropFirst()) != nil, parts.count > 1 { parts.removeFirst() }
        var name = parts.joined(separator: "/")
        if resourceType != "raw", let dot = name.lastIndex(of: "."), !name[name.index(after: dot)...].contains("/") {
            name = String(name[..<dot])
        }
        let asset = state.withLock { state -> Asset? in
            guard let asset = state.assets["\(resourceType)/\(name)"] else { return nil }
            state.downloads.append(name)
            return asset
        }
        guard let asset else { return CloudinaryError.response(404, "Resource not found - \(name)") }
        return EmulatorResponse(status: 200, headers: ["Content-Type": "application/octet-stream"], body: asset.bytes)
    }

    private func folders(_ path: String) -> EmulatorResponse {
        let all = state.withLock { $0.folders }
        if !path.isEmpty && !all.contains(path) { return CloudinaryError.response(404, "Can't find folder with path \(path)") }
        let children = all.filter { folder in
            if path.isEmpty { return !folder.contains("/") }
            return folder.hasPrefix(path + "/") && !folder.dropFirst(path.count + 1).contains("/")
        }.sorted()
        return .json([
            "folders": .array(children.map { ["name": .string(String($0.split(separator: "/").last ?? "")), "path": .string($0)] }),
            "total_count": .number(Double(children.count)),
        ])
    }

    private func listing(_ include: (Asset) -> Bool) -> EmulatorResponse {
        let assets = state.withLock { $0.assets.values.filter(include) }.sorted { $0.publicId < $1.publicId }
        return .json(["resources": .array(assets.map(describe))])
    }

    private func describe(_ asset: Asset) -> JSONValue {
        let name = asset.format.map { "\(asset.publicId).\($0)" } ?? asset.publicId
        return [
            "public_id": .string(asset.publicId), "version": .number(Double(asset.version)), "resource_type": .string(asset.resourceType),
            "type": "upload", "format": asset.format.map { .string($0) } ?? .null, "bytes": .number(Double(asset.bytes.count)),
            "asset_folder": .string(asset.assetFolder),
            "secure_url": .string("https://res.cloudinary.com/\(configuration.cloudName)/\(asset.resourceType)/upload/v\(asset.version)/\(name)"),
        ]
    }

    private func authorizedAdmin(_ request: EmulatorRequest) -> Bool {
        let expected = "Basic " + Data("\(configuration.apiKey):\(configuration.apiSecret)".utf8).base64EncodedString()
        return request.header("authorization") == expected
    }

    static let unsigned: Set<String> = ["file", "cloud_name", "resource_type", "api_key", "signature", "signature_algorithm"]

    static func hex(_ bytes: [UInt8], sha256: Bool) -> String {
        let digest: [UInt8] = sha256 ? Array(SHA256.hash(data: bytes)) : Array(Insecure.SHA1.hash(data: bytes))
        return digest.map { String(format: "%02x", $0) }.joined()
    }

    static func addFolder(_ path: String, to folders: inout Set<String>) {
        var current = ""
        for part in path.split(separator: "/") {
            current = current.isEmpty ? String(part) : current + "/" + part
            folders.insert(current)
        }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func rateLimitHeaders(reset: String) -> [String: String] {
        ["X-FeatureRateLimit-Limit": "500", "X-FeatureRateLimit-Remaining": "0", "X-FeatureRateLimit-Reset": reset]
    }
}

/// Cloudinary's error shape: `{"error": {"message": "..."}}`.
struct CloudinaryErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        CloudinaryError.response(
            429, "Rate Limit Exceeded",
            headers: CloudinaryEmulator.rateLimitHeaders(reset: retryAfter)
                .merging(["Retry-After": retryAfter]) { $1 })
    }

    func serverError(status: Int) -> EmulatorResponse {
        CloudinaryError.response(status, "General Error")
    }
}

enum CloudinaryError {
    static func response(_ status: Int, _ message: String, headers: [String: String] = [:]) -> EmulatorResponse {
        .json(["error": ["message": .string(message)]], status: status, headers: headers)
    }
}
