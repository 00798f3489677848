import ClipnetJSON
import Foundation
public import HTTPTransport

/// The worker's Cloudinary client: downloads a job's source, uploads what a stage produces, and
/// checks at start-up that the environment's folder exists.
///
/// Isolation at the call: every request names a public id, asset folder or folder path, and the
/// client checks each against the environment's folder (`MediaFolder`) right before it is sent,
/// whatever the caller passed. A staging worker therefore cannot build a request that reads or
/// writes under `prod_clips/`. Upload requests are signed (`CloudinarySignature`); Admin API calls use
/// HTTP Basic with the API key and secret. Neither the secret nor a signature reaches a log or an
/// error message.
public struct CloudinaryClient: Sendable {
    public struct Uploaded: Sendable, Hashable {
        public let publicId: String
        public let secureURL: String
        public let bytes: Int64
        public let version: Int64
    }

    public let configuration: CloudinaryConfiguration
    public let folder: MediaFolder
    private let http: HTTPClient

    /// - Parameter runtime: the process's libcurl runtime; the client gets its own `HTTPClient`.
    ///   Media goes through it streamed (to and from files); only JSON answers and error
    ///   documents are held in memory, up to `answerLimit`.
    public init(configuration: CloudinaryConfiguration, folder: MediaFolder, runtime: CurlRuntime) {
        self.configuration = configuration
        self.folder = folder
        self.http = HTTPClient(
            runtime: runtime,
            configuration: .init(
                concurrency: 4, maximumResponseSize: Self.answerLimit, userAgent: "clipnet-worker"))
    }

    /// Largest answer held in memory: an upload's JSON, an Admin API listing, an error document.
    static let answerLimit = 1 << 20

    /// The folder's path as the Admin API names it (`staging_clips`).
    public var folderPath: String { String(folder.prefix.dropLast()) }

    // MARK: Start-up check

    /// Whether the environment's folder exists: Admin API `GET /folders/{path}` (its subfolders),
    /// which answers 404 for a folder that does not exist.
    public func folderExists() async throws -> Bool {
        let path = try confine(folderPath, what: "folder")
        let url = "\(configuration.apiBaseURL)/v1_1/\(Self.encode(configuration.cloudName))/folders/\(Self.encode(path))?max_results=1"
        let request = HTTPRequest(method: .get, url: url, headers: adminHeaders(), timeout: .seconds(30))
        let response = try await send(operation: "folders", accept: [200, 404]) { [http] in
            HTTPStreamedResponse(response: try await http.send(request), bodyBytes: 0, largestChunk: 0)
        }.response
        return response.status == 200
    }

    /// Throws `CloudinaryFolderMissing` when the folder does not exist.
    public func checkFolder() async throws {
        guard try await folderExists() else { throw CloudinaryFolderMissing(folder: folder.prefix, cloudName: configuration.cloudName) }
    }

    // MARK: Media

    /// The public delivery URL of `asset` (`<delivery>/<cloud>/<type>/upload/<public id>.<format>`).
    public func deliveryURL(_ asset: CloudinaryAsset) throws -> String {
        let publicId = try confine(asset.publicId, what: "public id")
        let name = asset.format.map { "\(publicId).\($0)" } ?? publicId
        return "\(configuration.deliveryBaseURL)/\(Self.encode(configuration.cloudName))/\(asset.resourceType.rawValue)/upload/\(Self.encode(name))"
    }

    /// Downloads `asset` into the file at `path` (replaced), streamed: the body goes to the file as
    /// it arrives and the size limit is enforced while it does. Returns the size.
    ///
    /// After a failure (or a cancellation) there is no file at `path`: the transport removes what
    /// it wrote.
    /// - Throws: `JobFailure.permanent` when it does not exist or is over the size limit.
    @discardableResult
    public func download(_ asset: CloudinaryAsset, to path: String) async throws -> Int {
        let url = try deliveryURL(asset)
        var request = HTTPRequest(method: .get, url: url, timeout: configuration.requestTimeout)
        request.stallTimeout = configuration.stallTimeout
        let limit = configuration.maximumMediaBytes
        let streamed = try await send(operation: "download", accept: [200], notFound: "media \(asset.deliveryName) is not in Cloudinary") {
            [http, request] in
            try await http.download(request, to: path, maximumBodySize: limit)
        }
        return Int(streamed.bodyBytes)
    }

    /// Uploads the file at `path` as `asset` (overwriting: a re-run uploads the same id), signed.
    public func upload(file path: String, as asset: CloudinaryAsset) async throws -> Uploaded {
        let publicId = try confine(asset.publicId, what: "public id")
        let assetFolder = try confine(asset.folderPath, what: "asset folder")
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else { throw JobFailure.transient("the file to upload is missing or empty") }
        guard size <= configuration.maximumMediaBytes else { throw tooLarge(size) }

        var parameters = ["public_id": publicId, "overwrite": "true", "timestamp": String(Int64(Date().timeIntervalSince1970))]
        if configuration.folderMode == .dynamic { parameters["asset_folder"] = assetFolder }
        let signature = CloudinarySignature.sign(parameters, secret: configuration.apiSecret, algorithm: configuration.signatureAlgorithm)
        var form = MultipartFormData()
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) { form.add(name, value) }
        form.add("api_key", configuration.apiKey)
        form.add("signature", signature)
        if configuration.signatureAlgorithm == .sha256 { form.add("signature_algorithm", "sha256") }
        let filename = asset.deliveryName.split(separator: "/").last.map(String.init) ?? "media"
        // The file is read while it is sent; the limit holds again when the transfer starts (the
        // file could have grown since it was measured above).
        let (body, overhead) = form.streamed(fileField: "file", filename: filename, contentType: "application/octet-stream", path: path)
        let limit = configuration.maximumMediaBytes + overhead

        let url = "\(configuration.apiBaseURL)/v1_1/\(Self.encode(configuration.cloudName))/\(asset.resourceType.rawValue)/upload"
        var request = HTTPRequest(method: .post, url: url, headers: ["Content-Type": form.contentType], timeout: configuration.requestTimeout)
        request.stallTimeout = configuration.stallTimeout
        let response = try await send(operation: "upload", accept: [200]) { [http, request] in
            try await http.upload(request, body: body, maximumBodySize: limit)
        }.response
        guard let answer = JSONValue.parse(response.body), let returned = answer["public_id"]?.stringValue else {
            throw JobFailure.transient("Cloudinary upload answered without a public_id")
        }
        guard returned == publicId else {
            throw JobFailure.permanent("Cloudinary stored the upload as '\(returned)', not '\(publicId)'")
        }
        let fallbackURL = try deliveryURL(asset)
        return Uploaded(
            publicId: returned, secureURL: answer["secure_url"]?.stringValue ?? fallbackURL,
            bytes: Int64(answer["bytes"]?.numberValue ?? Double(size)), version: Int64(answer["version"]?.numberValue ?? 0))
    }

    private func tooLarge(_ size: Int) -> JobFailure {
        JobFailure.permanent(
            "the file to upload has \(size) bytes, over the limit of \(configuration.maximumMediaBytes) (CLOUDINARY_MAX_MEDIA_BYTES)")
    }

    // MARK: Isolation

    /// `name` if it lies inside the environment's folder (or is the folder itself); else a
    /// permanent failure and no request.
    func confine(_ name: String, what: String) throws -> String {
        if name == folderPath { return name }
        do {
            return try folder.confine(name, field: what)
        } catch {
            throw JobFailure.permanent("refusing a Cloudinary request for \(what) '\(name)': outside the environment's folder '\(folder.prefix)'")
        }
    }

    // MARK: Transport

    private func adminHeaders() -> HTTPHeaders {
        let credentials = Data("\(configuration.apiKey):\(configuration.apiSecret)".utf8).base64EncodedString()
        return ["Authorization": "Basic \(credentials)", "Accept": "application/json"]
    }

    /// Runs `exchange` (one request) with retries on retryable transport errors, 5xx, 420 and 429
    /// (waiting for `Retry-After` or `X-FeatureRateLimit-Reset`); another status outside `accept`
    /// is a permanent failure, and so is media over the size limit, either way.
    private func send(
        operation: String, accept: Set<Int>, notFound: String? = nil,
        _ exchange: @Sendable () async throws -> HTTPStreamedResponse
    ) async throws -> HTTPStreamedResponse {
        var tries = 0
        while true {
            tries += 1
            let streamed: HTTPStreamedResponse
            do {
                streamed = try await exchange()
            } catch let error as HTTPTransportError
                where error.code == .requestTooLarge || (error.code == .responseTooLarge && operation == "download")
            {
                throw JobFailure.permanent(
                    "Cloudinary \(operation): the media is over the limit of \(configuration.maximumMediaBytes) bytes (CLOUDINARY_MAX_MEDIA_BYTES)")
            } catch let error as HTTPTransportError where !error.isRetryable {
                // A file that cannot be read or written, an answer over `answerLimit`, a TLS
                // certificate problem: the same request would fail the same way now; the queue
                // retries the job later.
                throw JobFailure.transient("Cloudinary \(operation): \(error)")
            } catch let error as HTTPTransportError {
                guard tries < configuration.attempts else { throw JobFailure.transient("Cloudinary \(operation): \(error)") }
                try await Task.sleep(for: Self.backoff(tries))
                continue
            }
            let response = streamed.response
            if accept.contains(response.status) { return streamed }
            let message = "Cloudinary \(operation) answered \(response.status): \(Self.errorMessage(response))"
            let retryable = response.status == 420 || response.status == 429 || response.status >= 500
            guard retryable else {
                if response.status == 404, let notFound { throw JobFailure.permanent(notFound) }
                throw JobFailure.permanent(message)
            }
            let delay = Self.rateLimitDelay(response) ?? Self.backoff(tries)
            // A reset further out than a minute is the queue's business (a retry with backoff),
            // not a reason to hold a worker slot.
            guard tries < configuration.attempts, delay <= .seconds(60) else { throw JobFailure.transient(message) }
            try await Task.sleep(for: delay)
        }
    }

    static func backoff(_ tries: Int) -> Duration { .milliseconds(250 * (1 << min(tries, 6))) }

    /// `Retry-After`, else the Admin API's `X-FeatureRateLimit-Reset` (an HTTP date).
    static func rateLimitDelay(_ response: HTTPResponse) -> Duration? {
        if let delay = response.retryAfter() { return delay }
        guard let reset = response.header("X-FeatureRateLimit-Reset") else { return nil }
        // The same date formats as Retry-After: parse it through the transport's parser.
        return HTTPResponse(status: response.status, headers: ["Retry-After": reset]).retryAfter()
    }

    /// The message of Cloudinary's error shape `{"error":{"message":"..."}}`, shortened. Cloudinary
    /// quotes the string it signed in an "Invalid Signature" answer, never the secret.
    static func errorMessage(_ response: HTTPResponse) -> String {
        guard let message = JSONValue.parse(response.body)?["error"]?["message"]?.stringValue else { return "no error message" }
        return String(message.prefix(300))
    }

    /// Percent-encodes a path for a URL, keeping `/` (media paths are already restricted to a safe
    /// alphabet by `MediaFolder`, so this only matters for the cloud name).
    static func encode(_ path: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}

/// The environment's Cloudinary folder does not exist: the worker refuses to start.
public struct CloudinaryFolderMissing: Error, Sendable, CustomStringConvertible {
    public let folder: String
    public let cloudName: String
    public var description: String {
        "the Cloudinary folder '\(folder)' does not exist in cloud '\(cloudName)' (Admin API GET /folders answered 404); create it, or fix CLOUDINARY_FOLDER"
    }
}
