internal import CCurl

/// Owns one `curl_slist` (request header lines) and frees it in `deinit`.
///
/// Not `Sendable`: built and used inside one transfer on a lane's queue. It must outlive
/// `curl_easy_perform`, since libcurl keeps the pointer, not a copy.
final class HeaderList {
    private(set) var raw: UnsafeMutablePointer<curl_slist>?

    private init() {}

    deinit {
        if let raw { curl_slist_free_all(raw) }
    }

    /// Builds the list from `lines`; on failure whatever was built so far is freed by `deinit`.
    static func make(_ lines: [String]) throws(HTTPTransportError) -> HeaderList {
        let list = HeaderList()
        for line in lines {
            // curl_slist_append returns NULL on failure and leaves the old list intact (still owned here).
            guard let appended = curl_slist_append(list.raw, line) else {
                throw HTTPTransportError(.other, "could not allocate the request header list")
            }
            list.raw = appended
        }
        return list
    }
}
