import ClipnetJSON

/// Railway's error shapes (docs/platforms.md): resolver and validation errors as HTTP 200
/// with `{"errors":[{"message",...}],"data":null}`; 429 with `Retry-After`.
struct RailwayErrorRenderer: PlatformErrorRenderer {
    func rateLimited(retryAfter: String) -> EmulatorResponse {
        .json(
            ["errors": [["message": "Rate limit exceeded. Please try again later."]], "data": .null], status: 429,
            headers: ["Retry-After": retryAfter, "X-RateLimit-Remaining": "0"])
    }

    func serverError(status: Int) -> EmulatorResponse {
        .json(["errors": [["message": "Internal Server Error"]], "data": .null], status: status)
    }
}

enum RailwayError {
    /// HTTP 200 with an `errors` array: how Railway reports everything but transport failures.
    static func response(_ messages: [String], path: String? = nil) -> EmulatorResponse {
        let errors = messages.map { message -> JSONValue in
            var error: [String: JSONValue] = ["message": .string(message), "locations": []]
            if let path { error["path"] = [.string(path)] }
            error["extensions"] = ["code": path == nil ? "GRAPHQL_VALIDATION_FAILED" : "INTERNAL_SERVER_ERROR"]
            return .object(error)
        }
        return .json(["errors": .array(errors), "data": .null])
    }

    static let notAuthorized = "Not Authorized"
}
