import Foundation

/// What this client needs to know about a connection string without parsing it fully (libpq
/// does that): how to show it in logs and errors without its password, and which secrets to
/// scrub from libpq's messages.
///
/// Both forms libpq accepts are handled: URLs (`postgresql://user:secret@host/db?password=...`)
/// and key/value conninfo (`host=db password='s e c'`).
public enum PostgresConnectionString {
    /// The connection string with every password replaced by `***`, safe to log.
    public static func redacted(_ connectionString: String) -> String {
        var characters = Array(connectionString)
        for span in passwordSpans(characters).sorted(by: { $0.lowerBound > $1.lowerBound }) {
            characters.replaceSubrange(span, with: Array("***"))
        }
        return String(characters)
    }

    /// The passwords in a connection string, as written and percent-decoded.
    static func secrets(in connectionString: String) -> [String] {
        let characters = Array(connectionString)
        var result: [String] = []
        for span in passwordSpans(characters) {
            var secret = String(characters[span])
            if secret.count >= 2, secret.first == "'", secret.last == "'" {
                result.append(secret)
                secret = String(secret.dropFirst().dropLast()).replacingOccurrences(of: "\\'", with: "'")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            guard !secret.isEmpty else { continue }
            result.append(secret)
            if let decoded = secret.removingPercentEncoding, decoded != secret, !decoded.isEmpty { result.append(decoded) }
        }
        return result
    }

    /// Replaces every secret in `message` (a libpq error text) with `***`.
    static func scrub(_ message: String, secrets: [String]) -> String {
        var text = message
        for secret in secrets.sorted(by: { $0.count > $1.count }) where !secret.isEmpty {
            text = text.replacingOccurrences(of: secret, with: "***")
        }
        return text
    }

    static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Where the passwords are, as character ranges.
    private static func passwordSpans(_ text: [Character]) -> [Range<Int>] {
        isURL(String(text)) ? urlPasswordSpans(text) : conninfoPasswordSpans(text)
    }

    /// `scheme://user:PASSWORD@host...` and `?password=PASSWORD`. Like libpq, the credentials
    /// end at the first `/`; the last `@` before it ends the password, so a stray `@` in the
    /// password is still covered.
    private static func urlPasswordSpans(_ url: [Character]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        guard let schemeEnd = indexAfter("://", in: url) else { return [] }
        let authorityEnd = url[schemeEnd...].firstIndex(of: "/") ?? url.endIndex
        if let at = url[schemeEnd..<authorityEnd].lastIndex(of: "@"),
            let colon = url[schemeEnd..<at].firstIndex(of: ":")
        {
            spans.append((colon + 1)..<at)
        }
        if let question = url.firstIndex(of: "?") {
            let end = url[question...].firstIndex(of: "#") ?? url.endIndex
            var start = question + 1
            while start < end {
                let pairEnd = url[start..<end].firstIndex(of: "&") ?? end
                if let equals = url[start..<pairEnd].firstIndex(of: "="), String(url[start..<equals]) == "password" {
                    spans.append((equals + 1)..<pairEnd)
                }
                start = pairEnd + 1
            }
        }
        return spans
    }

    /// `password=VALUE` or `password = 'quoted \' value'` in key/value conninfo.
    private static func conninfoPasswordSpans(_ text: [Character]) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var index = 0
        func skipSpaces() { while index < text.count, text[index].isWhitespace { index += 1 } }
        while index < text.count {
            skipSpaces()
            let keyStart = index
            while index < text.count, text[index] != "=", !text[index].isWhitespace { index += 1 }
            let key = String(text[keyStart..<index])
            skipSpaces()
            guard index < text.count, text[index] == "=" else {
                if index == keyStart { index += 1 }
                continue
            }
            index += 1
            skipSpaces()
            let valueStart = index
            if index < text.count, text[index] == "'" {
                index += 1
                while index < text.count, text[index] != "'" {
                    if text[index] == "\\" { index += 1 }
                    index += 1
                }
                index = min(index + 1, text.count)
            } else {
                while index < text.count, !text[index].isWhitespace { index += 1 }
            }
            if key == "password" { spans.append(valueStart..<index) }
        }
        return spans
    }

    private static func indexAfter(_ needle: String, in text: [Character]) -> Int? {
        let pattern = Array(needle)
        guard text.count >= pattern.count else { return nil }
        for start in 0...(text.count - pattern.count) where Array(text[start..<(start + pattern.count)]) == pattern {
            return start + pattern.count
        }
        return nil
    }
}
