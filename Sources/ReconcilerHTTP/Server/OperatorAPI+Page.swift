import ClipnetContracts
import Foundation
import HTTPTypes
import Hummingbird
import KnownGoodStore
import Logging
import Reconciler

extension OperatorAPI {
    /// `GET /`: rendered on each request (it also reads history, which the status version does not
    /// cover); on-call reloads it every few seconds at most.
    func statusPage(_ request: Request) async throws -> Response {
        let snapshot = control.status()
        var history: [HistoryEntry]? = nil
        do {
            history = try await control.history(limit: configuration.statusPageHistoryLimit)
        } catch {
            logger.warning("Status page rendered without history", metadata: ["error": "\(error)"])
        }
        let page = StatusPage(document: snapshot.document, history: history, now: Date(), refreshSeconds: configuration.statusPageRefreshSeconds)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page.render())))
    }
}
