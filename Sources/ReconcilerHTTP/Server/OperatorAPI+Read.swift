import ClipnetContracts
import Foundation
import Hummingbird
import Reconciler

/// The read-only routes: no token, no side effects.
extension OperatorAPI {
    static let defaultHistoryLimit = 20
    static let maximumHistoryLimit = 1000

    func status() -> Response {
        let snapshot = control.status()
        let bytes = statusCache.value(for: snapshot.version) {
            // Encoding a document of the daemon's own types cannot fail; if it ever did, the
            // answer would say so rather than serve a stale document.
            (try? StatusDocument.encoder().encode(snapshot.document)).map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        }
        guard bytes.readableBytes > 0 else { return JSONBody.error(.internalError) }
        return JSONBody.response(bytes: bytes)
    }

    func readiness() async -> Response {
        let readiness = await control.readiness()
        return (try? JSONBody.response(readiness, status: readiness.ready ? .ok : .serviceUnavailable)) ?? JSONBody.error(.internalError)
    }

    func history(_ request: Request) async throws -> Response {
        let limit = try Self.historyLimit(request.uri.queryParameters.get("limit"))
        let entries = try await control.history(limit: limit)
        return try JSONBody.response(HistoryAnswer(entries: entries))
    }

    func plan() async throws -> Response {
        try JSONBody.response(try await control.plan())
    }

    /// `limit` absent: the default; else an integer from 1 to `maximumHistoryLimit`.
    static func historyLimit(_ text: String?) throws -> Int {
        guard let text else { return defaultHistoryLimit }
        guard let limit = Int(text), (1...maximumHistoryLimit).contains(limit) else {
            throw APIError.invalidRequest("limit must be an integer from 1 to \(maximumHistoryLimit)")
        }
        return limit
    }
}
