import Crypto
import Foundation

/// The webhook signatures the daemon checks: GitHub's `X-Hub-Signature-256: sha256=<hex
/// HMAC-SHA256 of the raw body>` and Vercel's `x-vercel-signature: <hex HMAC-SHA1 of the raw
/// body>`, each keyed with its webhook secret.
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

    /// Vercel's: no prefix, the lowercase hex HMAC-SHA1 of the raw body.
    static func verifyVercel(header: String?, body: [UInt8], secret: String) -> Verdict {
        guard let header, !header.isEmpty else { return .missing }
        guard let presented = hexBytes(Substring(header.trimmingCharacters(in: .whitespaces))), presented.count == Insecure.SHA1.byteCount else {
            return .invalid
        }
        let key = SymmetricKey(data: Array(secret.utf8))
        return HMAC<Insecure.SHA1>.isValidAuthenticationCode(presented, authenticating: body, using: key) ? .valid : .invalid
    }

    /// Whether `presented` equals `expected`, in time that does not depend on where they differ
    /// (Railway's webhook token is compared like a password).
    static func sameToken(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
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
