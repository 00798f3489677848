import Foundation

/// The web address of a GitHub repository the daemon watches, for commit and compare links;
/// nil for any other host (no link is better than a wrong one). Credentials in the clone URL
/// never reach the link.
public enum RepositoryWeb {
    public static func url(fromClone clone: String) -> String? {
        var path: String
        if clone.hasPrefix("git@github.com:") {
            path = String(clone.dropFirst("git@github.com:".count))
        } else if let parts = URLComponents(string: clone), parts.host == "github.com", ["https", "http", "ssh", "git"].contains(parts.scheme ?? "") {
            path = String(parts.path.drop { $0 == "/" })
        } else {
            return nil
        }
        if path.hasSuffix(".git") { path.removeLast(4) }
        if path.hasSuffix("/") { path.removeLast() }
        let segments = path.split(separator: "/")
        guard segments.count == 2, segments.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) } }) else { return nil }
        return "https://github.com/\(segments[0])/\(segments[1])"
    }

    /// `owner/name` of a clone URL on github.com, for the REST API; nil for any other host.
    public static func ownerAndName(fromClone clone: String) -> String? {
        url(fromClone: clone).map { String($0.dropFirst("https://github.com/".count)) }
    }
}
