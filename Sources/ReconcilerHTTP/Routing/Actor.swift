import Foundation
import HTTPTypes
import Hummingbird

/// Who asked for an operator action, for history and logs: the body's `by`, else the
/// `X-Reconciler-Actor` header, else `api`.
///
/// Never a credential and never trusted for access: the token decides who may act; this only
/// records who says they are acting. Control characters are dropped and the length is bounded so
/// a name cannot forge log lines or bloat history.
enum Actor {
    static let header = HTTPField.Name("X-Reconciler-Actor")!
    static let fallback = "api"
    static let maximumLength = 64

    /// - Throws: a 400 when the name given is longer than `maximumLength` characters, as
    ///   docs/openapi.yaml says (a silent cut would record someone else's name).
    static func resolve(body: String?, request: Request) throws -> String {
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
