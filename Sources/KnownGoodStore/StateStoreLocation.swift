import Foundation

/// Where the state lives, parsed from the daemon's `state:` setting: `file:state/` (default),
/// `file:///abs/path`, or `postgres://...` / `postgresql://...`.
public enum StateStoreLocation: Equatable, Sendable, CustomStringConvertible {
    case file(directory: String)
    case postgres(url: String)

    public static let `default` = StateStoreLocation.file(directory: "state")

    public init(parsing text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw StateStoreError(.invalidConfiguration, "file:// state URLs need an absolute path; use file:relative/dir for a relative one")
            }
            self = .file(directory: path)
        } else if text.hasPrefix("file:") {
            let path = String(text.dropFirst("file:".count))
            guard !path.isEmpty else { throw StateStoreError(.invalidConfiguration, "file: state URL has no directory") }
            self = .file(directory: path)
        } else {
            throw StateStoreError(.invalidConfiguration, "unknown state URL '\(redactedURL(text))': expected file:DIR or postgres://...")
        }
    }

    /// Safe to log: a PostgreSQL password is replaced by `***`.
    public var description: String {
        switch self {
        case .file(let directory): "file:\(directory)"
        case .postgres(let url): redactedURL(url)
        }
    }
}

/// `scheme://user:secret@host/...` -> `scheme://user:***@host/...`, so URLs can be logged.
public func redactedURL(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://") else { return url }
    let rest = url[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    guard let at = authority.lastIndex(of: "@") else { return url }
    let userinfo = authority[..<at]
    let user = userinfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
    let masked = userinfo.contains(":") ? "\(user):***" : user
    return String(url[..<schemeEnd.upperBound]) + masked + String(authority[at...]) + String(rest[authorityEnd...])
}
