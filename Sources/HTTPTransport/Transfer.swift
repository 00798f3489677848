import Synchronization

/// The response of one transfer as libcurl hands it over, plus the request's cancellation flag.
///
/// libcurl's callbacks reach it through a `void*` (`Unmanaged`, unretained: the transfer outlives
/// `curl_easy_perform`, which is the only time the callbacks run). Not `Sendable`: its mutable
/// fields are touched only by those callbacks, on the lane's queue; the flag is a separate
/// `Sendable` object.
final class Transfer {
    let limit: Int
    let cancellation: CancellationFlag
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    /// Set by the body callback when `limit` would be exceeded; the callback then aborts the transfer.
    var exceededLimit = false
    /// The status of the latest status line (0 before the first).
    private(set) var status = 0
    /// A streamed request body (`HTTPClient.upload`), read by libcurl's read callback.
    let bodyReader: BodyReader?
    /// Where a 2xx response body goes (`HTTPClient.download`); other answers keep their first
    /// `limit` bytes in `body` and drop the rest.
    let sink: FileSink?

    init(limit: Int, cancellation: CancellationFlag, bodyReader: BodyReader? = nil, sink: FileSink? = nil) {
        self.limit = limit
        self.cancellation = cancellation
        self.bodyReader = bodyReader
        self.sink = sink
    }

    func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let sink {
            if (200..<300).contains(status) { return sink.write(bytes) }
            body.append(contentsOf: bytes.prefix(max(0, limit - body.count)))
            return true
        }
        if body.count + bytes.count > limit {
            exceededLimit = true
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    /// One raw header line, CRLF included. A status line starts a new header block (after a
    /// `100 Continue`, or a proxy's CONNECT answer), so only the final response's headers remain.
    func appendHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        // Trim CR/LF as bytes: in a Swift String "\r\n" is one Character, not a "\n" suffix.
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            return
        }
        guard !line.isEmpty else { return }
        if line.first == " " || line.first == "\t" {
            // Obsolete line folding: a continuation of the previous field's value.
            if let last = headers.fields.last {
                var fields = headers.fields
                fields[fields.count - 1].value = last.value + " " + line.trimmingSpaces()
                headers = HTTPHeaders(fields.map { ($0.name, $0.value) })
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        headers.add(String(line[..<colon]).trimmingSpaces(), String(line[line.index(after: colon)...]).trimmingSpaces())
    }
}

/// Set from any thread when the request's task is cancelled; read by libcurl's progress callback.
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .relaxed) }
    var isCancelled: Bool { cancelled.load(ordering: .relaxed) }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
