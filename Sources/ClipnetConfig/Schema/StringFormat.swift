import Foundation

/// What a string value must look like. Each case has one regular expression, written in the
/// subset shared by ICU and ECMA-262 so the JSON Schema can carry the very same pattern.
enum StringFormat: Sendable {
    /// Any non-empty text.
    case text
    /// A DNS name such as `staging.clipnet.ai`.
    case domain
    /// An absolute URL with one of `schemes` and a host.
    case url(schemes: [String])
    /// A Cloudinary folder: names separated by `/`, ending with `/` (`staging_clips/`).
    case cloudinaryFolder
    /// A duration with a unit (`30s`) between two bounds, both included.
    case duration(min: Duration, max: Duration)
    /// `host:port` with a port from 0 (any free port) to 65535.
    case hostPort
    /// Anything else: a pattern, the phrase for messages, and an example.
    case pattern(String, summary: String, example: String)

    var summary: String {
        switch self {
        case .text: "non-empty text"
        case .domain: "a lowercase domain name, e.g. staging.clipnet.ai"
        case .url(let schemes): "an absolute \(schemes.joined(separator: " or ")) URL with a host"
        case .cloudinaryFolder: "a Cloudinary folder ending with '/', e.g. staging_clips/"
        case .duration(let min, let max):
            "a duration with a unit (ms, s, m or h) from \(DurationText.format(min)) to \(DurationText.format(max)), e.g. 30s"
        case .hostPort: "host:port with a port from 0 to 65535, e.g. 127.0.0.1:8080"
        case .pattern(_, let summary, let example): "\(summary), e.g. \(example)"
        }
    }

    /// The regular expression the value must match in full.
    var regex: String {
        switch self {
        case .text: "^\\S(.*\\S)?$"
        case .domain: Self.domainPattern
        case .url(let schemes): "^(\(schemes.joined(separator: "|")))://[^\\s/?#@]+([/?#]\\S*)?$"
        case .cloudinaryFolder: "^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*/$"
        case .duration: "^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$"
        case .hostPort: "^[A-Za-z0-9.:\\[\\]-]+:[0-9]+$"
        case .pattern(let pattern, _, _): pattern
        }
    }

    static let domainPattern = "^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$"

    /// Why `value` does not fit, or nil when it does. Values are quoted only for formats that
    /// cannot hold credentials (URLs may carry a password, so they are never echoed).
    func problem(with value: String) -> String? {
        switch self {
        case .url(let schemes):
            guard matches(value), let endpoint = Endpoint(parsing: value), schemes.contains(endpoint.scheme),
                endpoint.userinfo == nil
            else { return "is not a valid URL; expected \(summary), e.g. https://api.staging.clipnet.ai/healthz" }
            return nil
        case .cloudinaryFolder:
            if !value.isEmpty, !value.hasSuffix("/"), matches(value + "/") {
                return "'\(value)' does not end with '/'; expected \(summary)"
            }
            return matches(value) ? nil : "'\(value)' is not a valid Cloudinary folder; expected \(summary)"
        case .domain:
            return matches(value) ? nil : "'\(value)' is not a valid domain name; expected \(summary)"
        case .text:
            return matches(value) ? nil : "is empty or starts or ends with whitespace; expected \(summary)"
        case .duration(let min, let max):
            guard value.utf8.count <= 64, matches(value), let milliseconds = DurationText.milliseconds(value) else {
                return "'\(Self.bounded(value))' is not valid; expected \(summary)"
            }
            let (low, high) = (Self.milliseconds(min), Self.milliseconds(max))
            guard milliseconds >= low, milliseconds <= high else {
                return "'\(value)' is out of range; expected \(summary)"
            }
            return nil
        case .hostPort:
            guard value.utf8.count <= 300, matches(value), let colon = value.lastIndex(of: ":") else {
                return "'\(Self.bounded(value))' is not valid; expected \(summary)"
            }
            let port = value[value.index(after: colon)...]
            guard let number = Int(port), (0...65535).contains(number) else {
                return "port \(port) is out of range; expected \(summary)"
            }
            return nil
        case .pattern:
            return matches(value) ? nil : "'\(value)' is not valid; expected \(summary)"
        }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// A value as echoed in a message: at most 64 characters.
    static func bounded(_ value: String) -> String {
        value.count > 64 ? String(value.prefix(64)) + "…" : value
    }

    /// Whole-string match with Swift's own regex engine: `NSRegularExpression` would go through
    /// ICU, which maps several MiB of data into the daemon for a check made once per revision.
    func matches(_ value: String) -> Bool {
        guard let expression = try? Regex(regex) else { return false }
        return (try? expression.wholeMatch(in: value)) != nil
    }
}

extension StringFormat {
    static let uuid = StringFormat.pattern(
        "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        summary: "a lowercase UUID",
        example: "4f5c2d1e-8a9b-4c3d-9e2f-1a2b3c4d5e6f"
    )
    static let environmentName = StringFormat.pattern(
        "^[a-z][a-z0-9-]{0,31}$",
        summary: "a lowercase environment name",
        example: "staging"
    )
    static let variableName = StringFormat.pattern(
        "^[A-Za-z_][A-Za-z0-9_]*$",
        summary: "an environment variable name of letters, digits and '_', not starting with a digit",
        example: "LOG_LEVEL"
    )
    static let repository = StringFormat.pattern(
        "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$",
        summary: "a GitHub repository as owner/name",
        example: "clipnet/clipnet"
    )
    static let relativePath = StringFormat.pattern(
        "^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$",
        summary: "a relative directory path without a leading or trailing '/'",
        example: "services/api"
    )
    static let imageRepository = StringFormat.pattern(
        "^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$",
        summary: "a container image repository without a tag (the tag is the revision)",
        example: "ghcr.io/clipnet/worker"
    )
    static let lowercaseName = StringFormat.pattern(
        "^[a-z][a-z0-9_-]{0,62}$",
        summary: "a lowercase name of letters, digits, '_' and '-'",
        example: "clipbot"
    )
}
