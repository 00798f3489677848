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
