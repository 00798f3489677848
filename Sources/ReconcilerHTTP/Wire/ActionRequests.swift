/// Request bodies of the mutating routes. Every field is optional at decoding, so a missing one
/// is reported as `invalid_request` naming the field rather than as a JSON error.
struct PinRequest: Decodable, Sendable {
    var revision: String?
    var reason: String?
    var force: Bool?
    var by: String?
}

struct UnpinRequest: Decodable, Sendable {
    var reason: String?
    var by: String?
}

struct RollbackRequest: Decodable, Sendable {
    var to: String?
    var reason: String?
    var by: String?
}

struct CleanupPreviewRequest: Decodable, Sendable {
    /// Remove what is found; without it, only list.
    var apply: Bool?
    var by: String?
}

struct ReconcileRequest: Decodable, Sendable {
    var retry: Bool?
    var by: String?
}

/// What `POST /webhooks/github` reads of a push event; everything else in the payload is ignored.
struct GitHubPush: Decodable, Sendable {
    var ref: String?
    var after: String?
    var deleted: Bool?
}

extension Optional where Wrapped == String {
    /// The value when present and not blank, else a 400 naming `field`.
    func required(_ field: String) throws -> String {
        guard let self, !self.allSatisfy(\.isWhitespace) else {
            throw APIError.invalidRequest("field '\(field)' is required")
        }
        return self
    }

    /// nil for a missing or blank value.
    var nonBlank: String? {
        guard let self, !self.allSatisfy(\.isWhitespace) else { return nil }
        return self
    }
}
