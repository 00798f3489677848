import Foundation

/// A URL taken apart just enough to decide whether two spellings name the same endpoint.
///
/// Hand-written rather than `URLComponents`, whose handling of `redis://:password@host` and of
/// odd hosts differs between platforms; isolation must not depend on that.
struct Endpoint: Sendable, Hashable {
    /// Lowercased.
    let scheme: String
    let userinfo: String?
    /// Lowercased, without a trailing dot; IPv6 addresses keep their brackets.
    let host: String
    let port: Int?
    /// The path without the query and fragment, as written (may be empty).
    let path: String

    /// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`; nil for anything else.
    init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let separator = trimmed.range(of: "://") else { return nil }
        let scheme = trimmed[..<separator.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
        var rest = trimmed[separator.upperBound...]
        if let end = rest.firstIndex(where: { "?#".contains($0) }) { rest = rest[..<end] }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let path = String(rest[authorityEnd...])
        var userinfo: String?
        if let at = authority.lastIndex(of: "@") {
            userinfo = String(authority[..<at])
            authority = authority[authority.index(after: at)...]
        }
        var host = Substring(authority)
        var port: Int?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let afterClose = host[host.index(after: close)...]
            host = host[...close]
            if !afterClose.isEmpty {
                guard afterClose.hasPrefix(":"), let number = Int(afterClose.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = host.lastIndex(of: ":") {
            let digits = host[host.index(after: colon)...]
            host = host[..<colon]
            if !digits.isEmpty {
                guard digits.allSatisfy(\.isASCII), let number = Int(digits) else { return nil }
                port = number
            }
        }
        if let port, !(1...65535).contains(port) { return nil }
        var normalizedHost = host.lowercased()
        if normalizedHost.hasSuffix(".") { normalizedHost.removeLast() }
        guard !normalizedHost.isEmpty,
            normalizedHost.allSatisfy({ !$0.isWhitespace && !"/\\@".contains($0) })
        else { return nil }
        self.scheme = scheme
        self.userinfo = userinfo
        self.host = normalizedHost
        self.port = port
        self.path = path
    }

    /// The port in effect: the explicit one, else the scheme's default.
    var effectivePort: Int? {
        port ?? Self.defaultPorts[scheme]
    }

    static let defaultPorts: [String: Int] = [
        "redis": 6379, "rediss": 6379,
        "postgres": 5432, "postgresql": 5432,
        "https": 443, "http": 80,
    ]

    /// The user name of the userinfo, percent-decoded.
    var user: String? {
        guard let userinfo else { return nil }
        let name = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name.isEmpty ? nil : (name.removingPercentEncoding ?? name)
    }

    /// The first path segment, percent-decoded (`/railway/` gives `railway`).
    var firstPathSegment: String? {
        let segment = path.split(separator: "/").first.map(String.init)
        return segment.map { $0.removingPercentEncoding ?? $0 }
    }
}

extension Endpoint {
    /// The identity of the endpoint for isolation, or nil when the scheme is not one it knows.
    ///
    /// - Redis (`redis`, `rediss`): host, port (6379), database number (0), so TLS and plain
    ///   spellings of one server and database are one endpoint.
    /// - PostgreSQL (`postgres`, `postgresql`): host, port (5432), database; with no database in
    ///   the URL, libpq uses the user name, and so does this.
    /// - Web (`http`, `https`): host and any non-default port; the path is ignored, so every URL
    ///   on the production API's host names the production API.
    /// The user name and password never take part.
    var identity: (kind: EndpointKind, key: String)? {
        identity(host: host)
    }

    /// The identities of every reading of the host (`HostSpelling`, and the addresses
    /// `resolver` gives): what the isolation checks compare, so no spelling of production's host
    /// passes. The identity as written is always among them.
    func identities(resolver: HostResolver = .none) -> (kind: EndpointKind, keys: Set<String>)? {
        guard let written = identity else { return nil }
        let keys = resolver.readings(of: host).compactMap { identity(host: $0)?.key }
        return (written.kind, Set(keys).union([written.key]))
    }

    private func identity(host: String) -> (kind: EndpointKind, key: String)? {
        switch scheme {
        case "redis", "rediss":
            let database = firstPathSegment.flatMap { Int($0) } ?? 0
            return (.redis, "redis://\(host):\(effectivePort ?? 6379)/\(database)")
        case "postgres", "postgresql":
            let database = firstPathSegment ?? user ?? ""
            return (.postgres, "postgres://\(host):\(effectivePort ?? 5432)/\(database)")
        case "http", "https":
            if let port, port != Self.defaultPorts[scheme] {
                return (.web, "web://\(host):\(port)")
            }
            return (.web, "web://\(host)")
        default:
            return nil
        }
    }
}

enum EndpointKind: Sendable {
    case redis, postgres, web
}
