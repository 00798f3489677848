import Foundation

/// A parsed `redis://[[user]:password@]host[:port][/db]` address.
///
/// The password is kept for AUTH but never shown: `description` is the redacted form, safe for logs
/// and error messages. `rediss://` is refused because hiredis 0.14 (Debian 12) is built without TLS.
public struct RedisURL: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    public var host: String
    public var port: Int
    public var database: Int
    /// The ACL user for `AUTH user password` (Redis 6+); nil sends `AUTH password`.
    public var username: String?
    var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`; user and password may be percent-encoded.
    public init(parsing string: String) throws(RedisError) {
        let lowered = string.lowercased()
        if lowered.hasPrefix("rediss://") {
            throw RedisError(
                .unsupported,
                "rediss:// (TLS) is not supported: the hiredis 0.14 library of this platform has no TLS; "
                    + "reach Redis over a private network or through a TLS tunnel and use redis://"
            )
        }
        guard lowered.hasPrefix("redis://") else {
            throw RedisError(.invalidURL, "a Redis URL must start with redis://")
        }
        var rest = Substring(string.dropFirst("redis://".count))
        var username: String?
        var password: String?
        // The last "@" ends the userinfo, so an unencoded "@" or "/" inside a password still parses.
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let user = Self.decode(parts[0])
            username = user.isEmpty ? nil : user
            if parts.count == 2 { password = Self.decode(parts[1]) }
            if password == nil || password?.isEmpty == true {
                // "redis://user@host": a user name without a password has nothing to AUTH with.
                password = nil
                username = nil
            }
        }
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        let path = slash < rest.endIndex ? rest[rest.index(after: slash)...] : ""
        let redacted = Self.redacted(host: String(authority), hasPassword: password != nil, username: username)
        if path.contains("?") || path.contains("#") || authority.contains("?") {
            throw RedisError(.invalidURL, "query parameters are not supported in a Redis URL: \(redacted)")
        }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw RedisError(.invalidURL, "unterminated IPv6 address in \(redacted)")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw RedisError(.invalidURL, "unexpected text after the IPv6 address in \(redacted)")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw RedisError(.invalidURL, "no host in \(redacted)") }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisError(.invalidURL, "invalid port in \(redacted)")
            }
            port = value
        }
        var database = 0
        if !path.isEmpty {
            guard let value = Int(path), value >= 0 else {
                throw RedisError(.invalidURL, "the path of a Redis URL must be a database number: \(redacted)")
            }
            database = value
        }
        self.init(host: String(host), port: port, database: database, username: username, password: password)
    }

    /// The URL with the password replaced by `***`: the only form that is ever logged or shown.
    public var description: String {
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return Self.redacted(host: authority, hasPassword: password != nil, username: username) + "/\(database)"
    }

    /// Without the password, so `dump` and test failure output cannot show it either.
    public var customMirror: Mirror {
        Mirror(self, children: ["host": host, "port": port, "database": database, "username": username as Any], displayStyle: .struct)
    }

    private static func redacted(host: String, hasPassword: Bool, username: String?) -> String {
        guard hasPassword else { return "redis://\(host)" }
        return "redis://\(username ?? ""):***@\(host)"
    }

    private static func decode(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }
}
