internal import CCurl
import Foundation

/// Owns one libcurl easy handle (`CURL*`) and its error buffer, and frees both in `deinit`.
///
/// Kept across requests so libcurl reuses its connections (keep-alive) and DNS cache:
/// `curl_easy_reset` clears the options between requests but keeps both. Not `Sendable`: it lives
/// in a `Lane` and is used only on that lane's queue. `failure(_:)` is the one place where curl
/// errors become `HTTPTransportError`s, read right after `curl_easy_perform` on the same thread.
final class EasyHandle {
    private let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    private init(raw: UnsafeMutableRawPointer) {
        self.raw = raw
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        self.errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }

    static func make() throws(HTTPTransportError) -> EasyHandle {
        guard let raw = curl_easy_init() else {
            throw HTTPTransportError(.other, "curl_easy_init failed")
        }
        return EasyHandle(raw: raw)
    }

    /// Performs `request` and returns the complete response.
    ///
    /// With `bodyReader`, the request body is streamed from it (`request.body` must be nil); with
    /// `sink`, a 2xx response body is written to it (within `sink.limit`) and the returned body
    /// holds at most `maximumResponseSize` bytes of any other answer's body.
    /// - Throws: `HTTPTransportError`, or `CancellationError` when `cancellation` was set.
    func perform(
        _ request: HTTPRequest,
        maximumResponseSize: Int,
        userAgent: String,
        cancellation: CancellationFlag,
        bodyReader: BodyReader? = nil,
        sink: FileSink? = nil
    ) throws -> HTTPResponse {
        try RequestValidation.validate(request)
        if bodyReader != nil, request.body != nil {
            throw HTTPTransportError(
                .invalidRequest, "\(request.method) \(RedactedURL(request.url)): a request has either a body or a streamed body, not both")
        }
        curl_easy_reset(raw)
        // Reset again when done, so the handle never keeps pointers to this transfer's header
        // list, body and callback context after they are freed (connections survive a reset).
        defer { curl_easy_reset(raw) }
        errorBuffer[0] = 0
        let transfer = Transfer(limit: maximumResponseSize, cancellation: cancellation, bodyReader: bodyReader, sink: sink)
        let headers = try HeaderList.make(RequestValidation.headerLines(for: request))
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer, request)
        try set(CURLOPT_URL, request.url, request)
        try set(CURLOPT_PROTOCOLS_STR, "http,https", request)
        try set(CURLOPT_NOSIGNAL, 1, request)  // no SIGALRM for timeouts: signals and threads do not mix
        try set(CURLOPT_FOLLOWLOCATION, 0, request)
        try set(CURLOPT_TCP_KEEPALIVE, 1, request)
        try set(CURLOPT_TIMEOUT_MS, milliseconds(request.timeout), request)
        try set(CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout), request)
        try set(CURLOPT_USERAGENT, userAgent, request)
        try set(CURLOPT_HTTPHEADER, pointer: headers.raw, request)
        try check(CCurl_setopt_off_t(raw, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(sink?.limit ?? Int64(maximumResponseSize))), request)
        if let stall = request.stallTimeout {
            // Less than a byte a second for this long, in either direction, ends the transfer
            // with CURLE_OPERATION_TIMEDOUT.
            try set(CURLOPT_LOW_SPEED_LIMIT, 1, request)
            try set(CURLOPT_LOW_SPEED_TIME, max(1, milliseconds(stall) / 1000), request)
        }
        if sink != nil { try set(CURLOPT_BUFFERSIZE, HTTPClient.streamingBufferSize, request) }
        if bodyReader != nil { try set(CURLOPT_UPLOAD_BUFFERSIZE, HTTPClient.streamingBufferSize, request) }

        try check(
            CCurl_setopt_callback(raw, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                // Returning less than `length` makes libcurl abort with CURLE_WRITE_ERROR.
                return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: length)) ? length : 0
            }, request)
        try set(CURLOPT_WRITEDATA, pointer: context, request)
        try check(
            CCurl_setopt_callback(raw, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
                return size * count
            }, request)
        try set(CURLOPT_HEADERDATA, pointer: context, request)
        try set(CURLOPT_NOPROGRESS, 0, request)
        try check(
            CCurl_setopt_xferinfo(raw) { context, _, _, _, _ in
                Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().cancellation.isCancelled ? 1 : 0
            }, request)
        try set(CURLOPT_XFERINFODATA, pointer: context, request)

        if cancellation.isCancelled { throw CancellationError() }
        let code = try withMethodAndBody(request, reader: bodyReader, context: context) { curl_easy_perform(raw) }
        withExtendedLifetime(headers) {}
        if code != CURLE_OK {
            if code == CURLE_ABORTED_BY_CALLBACK && cancellation.isCancelled { throw CancellationError() }
            if let error = sink?.writeError {
                throw HTTPTransportError(
                    .other,
                    "\(request.method) \(RedactedURL(request.url)): could not write the response body to \(sink!.path): \(String(cString: strerror(error)))"
                )
            }
            if let reason = bodyReader?.failure {
                throw HTTPTransportError(.other, "\(request.method) \(RedactedURL(request.url)): \(reason)")
            }
            if let sink, sink.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
                throw failure(code, request, exceededLimit: true, limit: Int(sink.limit))
            }
            throw failure(code, request, exceededLimit: transfer.exceededLimit, limit: maximumResponseSize)
        }

        var status = 0
        try check(CCurl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status), request)
        var seconds = 0.0
        try check(CCurl_getinfo_double(raw, CURLINFO_TOTAL_TIME, &seconds), request)
        return HTTPResponse(
            status: status,
            headers: transfer.headers,
            body: transfer.body,
            duration: .microseconds(Int64(seconds * 1_000_000))
        )
    }

    /// Sets the method and, when there is one, the body, then runs `perform` while the body's
    /// bytes are pinned (CURLOPT_POSTFIELDS is not copied by libcurl).
    private func withMethodAndBody(
        _ request: HTTPRequest, reader: BodyReader?, context: UnsafeMutableRawPointer,
        perform: () -> CURLcode
    ) throws -> CURLcode {
        let method = request.method
        if let reader {
            try streamBody(request, length: reader.length, context: context)
            return perform()
        }
        var body = request.body
        if body == nil, [.post, .put, .patch].contains(method) { body = [] }
        if method == .head {
            try set(CURLOPT_NOBODY, 1, request)
            return perform()
        }
        guard let body else {
            if method == .get {
                try set(CURLOPT_HTTPGET, 1, request)
            } else {
                try set(CURLOPT_CUSTOMREQUEST, method.rawValue, request)
            }
            return perform()
        }
        // A zero-length body still needs a valid pointer, or libcurl would read the body from stdin.
        let bytes = body.isEmpty ? [0] : body
        return try bytes.withUnsafeBytes { buffer throws -> CURLcode in
            try set(CURLOPT_POST, 1, request)
            try check(CCurl_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), request)
            try set(CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: buffer.baseAddress), request)
            if method != .post { try set(CURLOPT_CUSTOMREQUEST, method.rawValue, request) }
            return perform()
        }
    }

    /// A body libcurl reads through the read callback, with its length declared up front (a
    /// Content-Length, no chunked encoding), and the seek callback to send it again from the start.
    private func streamBody(_ request: HTTPRequest, length: Int64, context: UnsafeMutableRawPointer) throws {
        try check(
            CCurl_setopt_callback(raw, CURLOPT_READFUNCTION) { buffer, size, count, context in
                let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
                guard let buffer, let reader = transfer.bodyReader,
                    let filled = reader.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
                else { return Int(CURL_READFUNC_ABORT) }
                return filled
            }, request)
        try set(CURLOPT_READDATA, pointer: context, request)
        try check(
            CCurl_setopt_seek(raw) { context, offset, origin in
                // libcurl only ever rewinds to the start (a retried request on a new connection).
                guard offset == 0, origin == SEEK_SET,
                    let reader = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue().bodyReader
                else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
                reader.rewind()
                return Int32(CURL_SEEKFUNC_OK)
            }, request)
        try set(CURLOPT_SEEKDATA, pointer: context, request)
        if request.method == .post {
            try set(CURLOPT_POST, 1, request)
            try check(CCurl_setopt_off_t(raw, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(length)), request)
        } else {
            try set(CURLOPT_UPLOAD, 1, request)
            try check(CCurl_setopt_off_t(raw, CURLOPT_INFILESIZE_LARGE, curl_off_t(length)), request)
            if request.method != .put { try set(CURLOPT_CUSTOMREQUEST, request.method.rawValue, request) }
        }
    }

    // MARK: - Options, and the one place where curl errors become Swift errors

    private func set(_ option: CURLoption, _ value: Int, _ request: HTTPRequest) throws(HTTPTransportError) {
        try check(CCurl_setopt_long(raw, option, value), request)
    }

    private func set(_ option: CURLoption, _ value: String, _ request: HTTPRequest) throws(HTTPTransportError) {
        // libcurl copies string options (except POSTFIELDS), so the C string need not outlive the call.
        try check(value.withCString { CCurl_setopt_string(raw, option, $0) }, request)
    }

    private func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?, _ request: HTTPRequest) throws(HTTPTransportError) {
        try check(CCurl_setopt_pointer(raw, option, pointer), request)
    }

    private func set<T>(_ option: CURLoption, pointer: UnsafeMutablePointer<T>?, _ request: HTTPRequest) throws(HTTPTransportError) {
        try set(option, pointer: UnsafeMutableRawPointer(pointer), request)
    }

    private func check(_ code: CURLcode, _ request: HTTPRequest) throws(HTTPTransportError) {
        if code != CURLE_OK { throw failure(code, request, exceededLimit: false, limit: 0) }
    }

    /// Maps a CURLcode to an `HTTPTransportError`, with curl's description and the error buffer's
    /// detail. Only the method and the redacted URL describe the request.
    private func failure(_ code: CURLcode, _ request: HTTPRequest, exceededLimit: Bool, limit: Int) -> HTTPTransportError {
        let summary = String(cString: curl_easy_strerror(code))
        let detail = Self.scrub(String(cString: errorBuffer), url: request.url)
        var message = "\(request.method) \(RedactedURL(request.url)): \(summary)"
        if !detail.isEmpty, detail != summary { message += " (\(detail))" }

        if exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return HTTPTransportError(.responseTooLarge, "\(request.method) \(RedactedURL(request.url)): response larger than \(limit) bytes")
        }
        switch code {
        case CURLE_COULDNT_CONNECT:
            return HTTPTransportError(.couldNotConnect, message)
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPTransportError(.timedOut, message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return HTTPTransportError(.dnsFailure, message)
        case CURLE_SEND_ERROR:
            return HTTPTransportError(.sendFailed, message)
        case CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return HTTPTransportError(.receiveFailed, message)
        case CURLE_SSL_CONNECT_ERROR:
            return HTTPTransportError(.tls, message, isRetryable: true)  // often a reset mid-handshake
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
            CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS,
            CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
            return HTTPTransportError(.tls, message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return HTTPTransportError(.invalidRequest, message)
        default:
            return HTTPTransportError(.other, message)
        }
    }

    /// Removes the URL's userinfo and query from curl's detail text, should curl quote them.
    private static func scrub(_ detail: String, url: String) -> String {
        var detail = detail
        while let last = detail.last, last.isNewline { detail.removeLast() }
        if let schemeEnd = url.range(of: "://") {
            let rest = url[schemeEnd.upperBound...]
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            if let at = authority.lastIndex(of: "@") {
                detail = detail.replacing(String(authority[..<at]), with: "<redacted>")
            }
        }
        if let query = url.firstIndex(of: "?") {
            let text = url[url.index(after: query)...].prefix { $0 != "#" }
            if !text.isEmpty { detail = detail.replacing(String(text), with: "…") }
        }
        return detail
    }
}

private func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
}
