import Foundation

/// Removes known secret values (tokens, variable values being written) from text that may reach a
/// log or an error message, such as a platform's error message echoing part of a request.
struct SecretScrubber: Sendable {
    private let secrets: [String]

    init(_ secrets: [String]) {
        // Short values would mask ordinary words; 6 characters is below any token or real secret.
        self.secrets = secrets.filter { $0.count >= 6 }.sorted { $0.count > $1.count }
    }

    func adding(_ more: [String]) -> SecretScrubber {
        SecretScrubber(secrets + more)
    }

    func scrub(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "<redacted>") }
    }
}
