import HTTPTypes
import Hummingbird
import Reconciler

/// An error answer of the operator API: `{"error":{"code","message"}}` with an HTTP status.
///
/// Why one type: every refusal, from the router (404, 405), the auth checks (401, 403), body
/// parsing (400, 413) or the daemon (`OperatorError`), reaches clients in the same shape, so the
/// CLI and scripts read one thing. Messages are for people and never carry a secret, a stack
/// trace or a file path.
struct APIError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Extra headers (`WWW-Authenticate`, `Allow`, `Retry-After`).
    var headers: [(HTTPField.Name, String)] = []

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String, headers: [(HTTPField.Name, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message
    }

    /// What any unexpected failure becomes: no detail leaves the process (the log has it).
    static let internalError = APIError(.internalServerError, "internal_error", "internal error; the daemon's log has the details")

    static func notFound(_ path: String) -> APIError {
        APIError(.notFound, "not_found", "no route \(Self.printable(path)); see GET / and docs/openapi.yaml")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allowed: [HTTPRequest.Method]) -> APIError {
        let names = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            .methodNotAllowed, "method_not_allowed", "\(method.rawValue) is not allowed here; allowed: \(names)", headers: [(.allow, names)])
    }

    static func invalidRequest(_ message: String) -> APIError {
        APIError(.badRequest, "invalid_request", message)
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, "body_too_large", "the request body is larger than \(limit) bytes")
    }

    /// The HTTP answer for a daemon refusal: the code picks the status, the message is the daemon's.
    init(_ error: OperatorError) {
        let status: HTTPResponse.Status =
            switch error.code {
            case .unknownRevision: .unprocessableContent
            case .notOnBranch, .noRollbackTarget, .notPromotable, .notMarkable: .conflict
            case .invalidRequest: .badRequest
            case .notLeader, .unavailable: .serviceUnavailable
            default: .badRequest
            }
        let retry: [(HTTPField.Name, String)] = status == .serviceUnavailable ? [(.retryAfter, "5")] : []
        self.init(status, error.code.description, error.message, headers: retry)
    }

    /// A path as it may be echoed in a message: bounded and without control characters.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
        return cleaned.count > 200 ? String(cleaned.prefix(200)) + "…" : cleaned
    }
}
