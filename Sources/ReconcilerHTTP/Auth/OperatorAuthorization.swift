import Foundation
import HTTPTypes
import Hummingbird

/// The operator token check of mutating routes: `Authorization: Bearer <token>`.
///
/// Without a configured token the mutating routes are off (403), rather than open: a daemon
/// started without `RECONCILER_TOKEN` still serves status, but nobody can pin or roll back through it.
struct OperatorAuthorization: Sendable {
    let token: String?

    /// Throws the 401 or 403 answer when the request may not act.
    func check(_ request: Request) throws {
        guard let token else {
            throw APIError(
                .forbidden, "operator_token_not_configured",
                "operator actions are disabled: the daemon was started without RECONCILER_TOKEN")
        }
        let challenge: [(HTTPField.Name, String)] = [(.wwwAuthenticate, "Bearer realm=\"reconciler\"")]
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "unauthorized", "missing Authorization: Bearer <token> (the daemon's RECONCILER_TOKEN)", headers: challenge)
        }
        guard let presented = Self.bearerToken(header), ConstantTime.equal(presented, token) else {
            throw APIError(.unauthorized, "unauthorized", "the operator token is not valid", headers: challenge)
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
