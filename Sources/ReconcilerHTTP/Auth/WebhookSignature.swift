import Crypto
import Foundation

/// GitHub's webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`,
/// keyed with the webhook secret.
///
/// Why before parsing: an unsigned body is untrusted input; it is never decoded, so a forged
/// request costs one HMAC and nothing more.
enum WebhookSignature {
    enum Verdict: Equatable {
        case valid
        case missing
        case invalid
    }

    static let prefix = "sha256="

    static func verify(header: String?, body: [UInt8], secret: String) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        let value = header.trimmingCharacters(in: .whitespaces)
        guard value.lowercased().hasPrefix(prefix), let presented = hexBytes(value.dropFirst(prefix.count)), presented.count == 32 else {
            return .invalid
        }
        let key = SymmetricKey(data: Array(secret.utf8))
        return HMAC<SHA256>.isValidAuthenticationCode(presented, authenticating: body, using: key) ? .valid : .invalid
    }

    /// The header value GitHub would send for `body`: for tests and for people checking a setup.
    static func sign(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return prefix
            + code.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
