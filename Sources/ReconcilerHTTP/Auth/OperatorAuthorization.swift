import Foundation
import HTTPTypes
import Hummingbird

/// The token check of routes that need a role: `Authorization: Bearer <token>`, a named token of
/// the token file or the shared `RECONCILER_TOKEN`.
///
/// The rule (docs/operations.md, "Who may do what"): with no token configured at all, actions are
/// off (403) rather than open, and every read is public; once any token exists, `GET /plan` needs
/// a viewer token too.
struct OperatorAuthorization: Sendable {
    let credentials: OperatorCredentials

    /// The caller, or the 401 or 403 answer when the request may not use a route needing `role`.
    func check(_ request: Request, needs role: OperatorRole, route: String) throws -> OperatorCaller {
        guard credentials.isConfigured else {
            if role == .viewer { return .anonymous }
            throw APIError(
                .forbidden, "operator_token_not_configured",
                "operator actions are disabled: the daemon was started without RECONCILER_TOKEN or an operator token file")
        }
        let challenge: [(HTTPField.Name, String)] = [(.wwwAuthenticate, "Bearer realm=\"reconciler\"")]
        guard let header = request.headers[.authorization] else {
            throw APIError(
                .unauthorized, "unauthorized", "missing Authorization: Bearer <token> (an operator token; \(route) needs role \(role.rawValue))",
                headers: challenge)
        }
        guard let presented = Self.bearerToken(header) else {
            throw APIError(.unauthorized, "unauthorized", "the Authorization header is not a Bearer token", headers: challenge)
        }
        switch credentials.verify(presented) {
        case .unknown:
            throw APIError(.unauthorized, "unauthorized", "the operator token is not valid", headers: challenge)
        case .revoked(let name, let at):
            throw APIError(.unauthorized, "token_revoked", "the operator token '\(name)' was revoked at \(at)", headers: challenge)
        case .caller(let caller):
            guard let held = caller.role, held.allows(role) else {
                throw APIError(
                    .forbidden, "insufficient_role",
                    "the token '\(caller.name)' has role \(caller.role?.rawValue ?? "none"); \(route) needs \(role.rawValue)")
            }
            return caller
        }
    }

    /// The token of a `Bearer` credential (scheme case-insensitive), or nil for any other scheme.
    static func bearerToken(_ header: String) -> String? {
        let trimmed = header.drop { $0 == " " }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}
