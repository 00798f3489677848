import ClipnetJSON
import Foundation

/// Vercel's error shape: `{"error":{"code","message"}}` (docs/platforms.md).
struct VercelErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        let reset = Int((Date().timeIntervalSince1970 + (Double(retryAfter) ?? 1)).rounded(.up))
        return .json(
            [
                "error": [
                    "code": "rate_limited",
                    "message": "Rate limit exceeded",
                    "limit": ["remaining": 0, "reset": .number(Double(reset)), "resetMs": .number(Double(reset) * 1000), "total": 100],
                ]
            ],
            status: 429,
            headers: ["Retry-After": retryAfter]
        )
    }

    func serverError(status: Int) -> EmulatorResponse {
        VercelError.response(status, "internal_server_error", "An unexpected internal error occurred")
    }
}

enum VercelError {
    static func response(_ status: Int, _ code: String, _ message: String, extra: [String: JSONValue] = [:]) -> EmulatorResponse {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        error.merge(extra) { _, new in new }
        return .json(["error": .object(error)], status: status)
    }

    static func badRequest(_ message: String) -> EmulatorResponse {
        response(400, "bad_request", "Invalid request: \(message)")
    }

    static func notFound(_ message: String) -> EmulatorResponse {
        response(404, "not_found", message)
    }

    /// A deployment removed by retention or by hand (docs `errors/DEPLOYMENT_DELETED`).
    static func deleted() -> EmulatorResponse {
        response(410, "DEPLOYMENT_DELETED", "This deployment has been deleted")
    }

    /// Rejects properties outside `allowed` and missing `required` ones, the way Vercel's schema
    /// validation does ("should NOT have additional property").
    static func checkObject(_ object: [String: JSONValue], allowed: Set<String>, required: [String], at path: String = "") -> EmulatorResponse? {
        for key in object.keys.sorted() where !allowed.contains(key) {
            return badRequest("\(path.isEmpty ? "" : "`\(path)` ")should NOT have additional property `\(key)`.")
        }
        for key in required where object[key] == nil || object[key] == .null {
            return badRequest("missing required property `\(path.isEmpty ? key : path + "." + key)`.")
        }
        return nil
    }

    /// Rejects query parameters outside `allowed` (names starting with `meta-` pass when `allowMeta`).
    static func checkQuery(_ request: EmulatorRequest, allowed: Set<String>, allowMeta: Bool = false) -> EmulatorResponse? {
        for item in request.query where !allowed.contains(item.name) && !(allowMeta && item.name.hasPrefix("meta-")) {
            return badRequest("query should NOT have additional property `\(item.name)`.")
        }
        return nil
    }
}
