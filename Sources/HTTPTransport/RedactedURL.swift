import Foundation

/// A URL as it may be shown in errors and logs: without userinfo (`user:password@`), query
/// (`?token=...`) or fragment.
///
/// Why the query too: some APIs take keys as query parameters, and an error message is no place to
/// decide which ones are secret.
public struct RedactedURL: Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ url: String) {
        var rest = Substring(url)
        var prefix = ""
        if let schemeEnd = rest.range(of: "://") {
            prefix = String(rest[..<schemeEnd.upperBound])
            rest = rest[schemeEnd.upperBound...]
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var tail = rest[authorityEnd...]
        var suffix = ""
        if let queryOrFragment = tail.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            if tail[queryOrFragment] == "?" { suffix = "?…" }
            tail = tail[..<queryOrFragment]
        }
        description = prefix + authority + tail + suffix
    }
}
