public import ClipnetJSON
import Foundation

/// One request as an emulator sees it: the parts a platform handler and the request log need,
/// independent of the HTTP server underneath.
public struct EmulatorRequest: Sendable {
    public var method: String
    /// The path without the query, e.g. `/v13/deployments/dpl_1`.
    public var path: String
    /// Query parameters in order; a name may repeat.
    public var query: [(name: String, value: String)]
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, path: String, query: [(name: String, value: String)] = [], headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        self.body = body
    }

    /// The first value of the query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The header `name` (any case).
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The path split into its non-empty segments.
    public var pathSegments: [String] {
        path.split(separator: "/").map(String.init)
    }

    /// The body parsed as JSON, or nil when it is empty or not JSON.
    public var json: JSONValue? { JSONValue.parse(body) }

    /// Splits a raw query string (`a=1&b=x%20y`) into decoded pairs.
    public static func parseQuery(_ raw: String?) -> [(name: String, value: String)] {
        guard let raw, !raw.isEmpty else { return [] }
        return raw.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in (String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s) }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
