import Foundation

/// URLs as they may be printed: without the password, and without a user name where one usually
/// is a token (`https://<token>@github.com/...`).
public enum RedactedURL {
    public static let placeholder = "<redacted>"

    /// `postgres://reconciler:<redacted>@db:5432/state`, `https://<redacted>@github.com/o/r.git`;
    /// text that is not a URL with credentials comes back unchanged. A scp-like ssh address
    /// (`git@github.com:o/r.git`) holds no secret and is kept.
    public static func display(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let scheme = url[..<separator.lowerBound].lowercased()
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let userinfo = authority[..<at]
        let keepsUser = ["postgres", "postgresql", "redis", "rediss", "ssh"].contains(scheme)
        let shown: String
        if let colon = userinfo.firstIndex(of: ":") {
            let user = userinfo[..<colon]
            shown = keepsUser || user.isEmpty ? "\(user):\(placeholder)" : placeholder
        } else {
            shown = keepsUser ? String(userinfo) : placeholder
        }
        return url[..<separator.upperBound] + shown + authority[at...] + rest[authorityEnd...]
    }
}
