/// A request body that is read while it is sent: byte segments and whole files, in order.
///
/// Why: media files are larger than what a process should hold in memory to send them. libcurl
/// asks for the body piece by piece, and each piece is copied from the current segment (a file is
/// read with `pread` at its offset) straight into libcurl's upload buffer, so the transport holds
/// no more of the body than that buffer. A `multipart/form-data` upload is the form fields as
/// bytes, the file, and the closing boundary as bytes.
///
/// The length is fixed when the transfer starts (the files' sizes then); a file that shrinks
/// while it is sent aborts the transfer, one that grows is sent up to its size at the start.
public struct HTTPBodyStream: Sendable, Hashable {
    public enum Segment: Sendable, Hashable {
        case bytes([UInt8])
        /// The whole regular file at this path.
        case file(String)
    }

    public var segments: [Segment]

    public init(_ segments: [Segment]) {
        self.segments = segments
    }
}

/// The result of a streamed transfer (`HTTPClient.download` or `HTTPClient.upload`).
public struct HTTPStreamedResponse: Sendable {
    /// The answer. After a download its `body` is empty when the status is 2xx (the body is in the
    /// file) and holds the first 64 KiB of the body otherwise (an error document, for messages).
    public var response: HTTPResponse
    /// Body bytes streamed: written to the file (download) or read from the stream and sent (upload).
    public var bodyBytes: Int64
    /// The largest piece of the streamed body the transport held at one time: what libcurl handed
    /// over in one call (download) or asked for in one call (upload). Bounded by libcurl's buffer
    /// (`HTTPClient.streamingBufferSize`), whatever the body's size.
    public var largestChunk: Int

    public init(response: HTTPResponse, bodyBytes: Int64, largestChunk: Int) {
        self.response = response
        self.bodyBytes = bodyBytes
        self.largestChunk = largestChunk
    }
}
