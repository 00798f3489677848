import Foundation
import HTTPTypes
import Hummingbird

/// Who asked for an operator action, for history, logs and metrics.
///
/// A named token is the identity: its name is recorded and the request's `by` or
/// `X-Reconciler-Actor` is ignored, so nobody can act under someone else's name. The shared
/// `RECONCILER_TOKEN` proves no name, so with it the request's label is recorded as before (the
/// body's `by`, else the header, else `api`). Control characters are dropped and the length is
/// bounded so a label cannot forge log lines or bloat history.
enum Actor {
    static let header = HTTPField.Name("X-Reconciler-Actor")!
    static let fallback = "api"
    static let maximumLength = 64

    /// - Throws: a 400 when the label given is longer than `maximumLength` characters, as
    ///   docs/openapi.yaml says (a silent cut would record someone else's name).
    static func resolve(body: String?, request: Request, caller: OperatorCaller) throws -> String {
        if caller.source == .namedToken { return caller.name }
        for (candidate, source) in [(body, "field 'by'"), (request.headers[header], "the X-Reconciler-Actor header")] {
            guard let name = clean(candidate, bounded: false) else { continue }
            guard name.count <= maximumLength else {
                throw APIError.invalidRequest("\(source) is longer than \(maximumLength) characters")
            }
            return name
        }
        return fallback
    }

    static func clean(_ text: String?, bounded: Bool = true) -> String? {
        guard let text else { return nil }
        let printable = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
        let trimmed = printable.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        return bounded ? String(trimmed.prefix(maximumLength)) : trimmed
    }
}
