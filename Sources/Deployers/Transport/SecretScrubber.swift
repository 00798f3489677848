/// Makes text a platform sent back (an error message echoing part of a request) fit for a log, the
/// status document and the CLI, which anyone who can reach the daemon reads.
///
/// Why more than search and replace: a platform that echoes a token *partially* (its first 20
/// of 24 characters) slipped past an exact-match scrubber. Here any run of at least
/// `minimumFragment` characters found anywhere in a known secret is removed, token-shaped words
/// of unknown origin are masked too, and the result is bounded, single-line text: a platform's
/// body never reaches an answer verbatim.
struct SecretScrubber: Sendable {
    static let placeholder = "<redacted>"
    /// The shortest piece of a secret that is removed. Shorter pieces are ordinary words and
    /// numbers far too often (and leak too little to matter); secrets shorter than this are
    /// removed whole.
    static let minimumFragment = 8
    /// Values shorter than this are not treated as secrets at all: they would mask ordinary words.
    static let minimumSecret = 6
    /// A word this long of letters and digits mixed looks like a credential and is masked even
    /// when it is not a known secret (hex commit ids are kept).
    static let tokenShapedLength = 24
    /// Longest text kept, in characters.
    static let maximumLength = 500

    private let secrets: [String]
    /// Every window of each secret, `minimumFragment` long (or the whole secret when shorter).
    private let windows: [Int: Set<String>]

    init(_ secrets: [String]) {
        let kept = Array(Set(secrets.filter { $0.count >= Self.minimumSecret }))
        self.secrets = kept
        var windows: [Int: Set<String>] = [:]
        for secret in kept {
            let scalars = Array(secret.unicodeScalars)
            let width = min(Self.minimumFragment, scalars.count)
            for start in 0...(scalars.count - width) {
                windows[width, default: []].insert(Self.string(scalars[start..<(start + width)]))
            }
        }
        self.windows = windows
    }

    func adding(_ more: [String]) -> SecretScrubber {
        SecretScrubber(secrets + more)
    }

    func scrub(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 })
        var secret = [Bool](repeating: false, count: scalars.count)
        for (width, set) in windows where scalars.count >= width {
            for start in 0...(scalars.count - width) where set.contains(Self.string(scalars[start..<(start + width)])) {
                for index in start..<(start + width) { secret[index] = true }
            }
        }
        scalars = Self.replacingRuns(scalars, marked: secret)
        var result = Self.maskingTokenShapedWords(Self.string(scalars[...]))
        if result.count > Self.maximumLength {
            result = String(result.prefix(Self.maximumLength)) + "…"
        }
        return result
    }

    /// Each run of marked scalars becomes one placeholder.
    private static func replacingRuns(_ scalars: [Unicode.Scalar], marked: [Bool]) -> [Unicode.Scalar] {
        var output: [Unicode.Scalar] = []
        output.reserveCapacity(scalars.count)
        var index = 0
        while index < scalars.count {
            if marked[index] {
                output.append(contentsOf: placeholder.unicodeScalars)
                while index < scalars.count, marked[index] { index += 1 }
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return output
    }

    /// Long words of letters and digits mixed (API keys, bearer tokens) become the placeholder;
    /// hex words (commit ids, hashes) and words without a digit stay.
    private static func maskingTokenShapedWords(_ text: String) -> String {
        func isWordCharacter(_ character: Character) -> Bool {
            character.isASCII && (character.isLetter || character.isNumber || "_-+=".contains(character))
        }
        var output = ""
        var word = ""
        func flush() {
            let core = word.filter { $0.isLetter || $0.isNumber }
            let hasDigit = core.contains(where: \.isNumber)
            let hasLetter = core.contains(where: \.isLetter)
            let isHex = core.allSatisfy(\.isHexDigit)
            output += core.count >= tokenShapedLength && hasDigit && hasLetter && !isHex ? placeholder : word
            word = ""
        }
        for character in text {
            if isWordCharacter(character) {
                word.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}

/// Log lines fit for the status document, the page and a notification: each line scrubbed of
/// every secret the caller knows (and token-shaped words), bounded to `SecretScrubber`'s length.
public enum LogScrubbing {
    public static func scrub(_ lines: [String], secrets: [String]) -> [String] {
        let scrubber = SecretScrubber(secrets)
        return lines.map { scrubber.scrub($0) }
    }
}
