import Foundation
import Testing

@testable import ClipnetConfig

/// Random values for every number of the daemon configuration: each is either accepted and lands
/// within its documented bounds, or refused with a `file:line:column` diagnostic on its key.
/// Never a crash, never a silent wrap (a port of 99999 used to bind 34463).
@Suite struct NumericSettingsPropertyTests {
    /// A small seeded generator, so a failure can be replayed from the seed in its message.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Kind {
        case duration(min: Duration, max: Duration)
        case integer(min: Int, max: Int)
    }

    /// Every numeric field of the daemon configuration's shape, by dotted path.
    static func numericFields(_ shape: Shape = DaemonConfigurationShape.root, path: String = "") -> [(path: String, kind: Kind)] {
        guard case .object(let object) = shape else { return [] }
        return object.fields.flatMap { field -> [(path: String, kind: Kind)] in
            let fieldPath = path.isEmpty ? field.name : "\(path).\(field.name)"
            switch field.shape {
            case .string(.duration(let min, let max)): return [(fieldPath, .duration(min: min, max: max))]
            case .integer(let min, let max): return [(fieldPath, .integer(min: min, max: max))]
            case .object: return numericFields(field.shape, path: fieldPath)
            default: return []
            }
        }
    }

    /// How to read each numeric setting back from a parsed configuration.
    static let durations: [String: @Sendable (DaemonConfiguration) -> Duration] = [
        "repository.pollInterval": { $0.repository.pollInterval },
        "http.idleTimeout": { $0.http.idleTimeout },
        "http.requestTimeout": { $0.http.requestTimeout },
        "http.lingerTimeout": { $0.http.lingerTimeout },
        "reconcile.driftInterval": { $0.reconcile.driftInterval },
        "reconcile.rolloutPollInterval": { $0.reconcile.rolloutPollInterval },
        "reconcile.verifyTimeout": { $0.reconcile.verifyTimeout },
        "reconcile.probeTimeout": { $0.reconcile.probeTimeout },
        "reconcile.platformRetryDelay": { $0.reconcile.platformRetryDelay },
        "reconcile.platformTimeout": { $0.reconcile.platformTimeout },
        "reconcile.leaderCheckInterval": { $0.reconcile.leaderCheckInterval },
        "reconcile.fullObserveInterval": { $0.reconcile.fullObserveInterval },
        "reconcile.readinessInterval": { $0.reconcile.readinessInterval },
        // A `github:` section with only this key still reads as a configured section.
        "github.checkInterval": { $0.github?.checkInterval ?? .zero },
        "promotion.soak": { $0.promotion?.soak ?? .seconds(-1) },
    ]
    static let integers: [String: @Sendable (DaemonConfiguration) -> Int] = [
        "http.maxConnections": { $0.http.maxConnections },
        "http.maxHeaderBytes": { $0.http.maxHeaderBytes },
        "reconcile.healthFailureThreshold": { $0.reconcile.healthFailureThreshold },
        "reconcile.transientFailureLimit": { $0.reconcile.transientFailureLimit },
        "reconcile.failureLogLines": { $0.reconcile.failureLogLines },
        "reconcile.platformAttempts": { $0.reconcile.platformAttempts },
        "railway.requestsPerHour": { $0.railway.requestsPerHour ?? 0 },
        "vercel.requestsPerHour": { $0.vercel.requestsPerHour ?? 0 },
    ]

    /// A configuration with `value` at `path` (two levels at most), the rest minimal.
    static func document(path: String, value: String) -> String {
        let parts = path.split(separator: ".").map(String.init)
        var text = "environment: staging\n"
        var repository = "repository:\n  url: https://github.com/clipnet/clipnet.git\n"
        if parts.count == 1 {
            text += "\(parts[0]): \(value)\n"
        } else if parts[0] == "repository" {
            repository += "  \(parts[1]): \(value)\n"
        } else {
            text += "\(parts[0]):\n  \(parts[1]): \(value)\n"
        }
        return text + repository
    }

    static func randomNumberText(_ random: inout SplitMix64) -> String {
        switch random.next() % 9 {
        case 0: return "0"
        case 1: return String(repeating: "9", count: Int(random.next() % 30) + 1)
        case 2: return "\(random.next() % 100)"
        case 3: return "\(random.next() % 100_000)"
        case 4: return "\(random.next() % 1000).\(random.next() % 1000)"
        case 5: return ["-5", "1e300", "nan", "inf", "0x708", "1_000", "+3", ".5", "5."][Int(random.next() % 9)]
        case 6: return "\(random.next())"
        case 7: return "0.\(String(repeating: "0", count: Int(random.next() % 8)))1"
        default: return "\(random.next() % 10_000_000)"
        }
    }

    /// The written duration in milliseconds when the text is a plain unsigned decimal with a unit.
    static func expectedMilliseconds(_ text: String) -> Decimal? {
        let units: [(String, Decimal)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = String(text.dropLast(suffix.count))
            guard number.range(of: #"^[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil, let value = Decimal(string: number) else { continue }
            return value * scale
        }
        return nil
    }

    static func milliseconds(_ duration: Duration) -> Decimal {
        let (seconds, attoseconds) = duration.components
        return Decimal(seconds) * 1000 + Decimal(attoseconds) / Decimal(string: "1000000000000000")!
    }

    @Test func everyNumericSettingHasAReader() {
        let found = Set(Self.numericFields().map(\.path))
        #expect(found == Set(Self.durations.keys).union(Self.integers.keys))
    }

    @Test func randomValuesAreAcceptedWithinBoundsOrRefusedOnTheirKey() throws {
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var random = SplitMix64(state: seed)
        for (path, kind) in Self.numericFields() {
            for _ in 0..<60 {
                let number = Self.randomNumberText(&random)
                let value: String
                switch kind {
                case .duration: value = number + ["ms", "s", "m", "h", ""][Int(random.next() % 5)]
                case .integer: value = number
                }
                let text = Self.document(path: path, value: value)
                let parsed = Result { try DaemonConfiguration.parse(text, file: "reconciler.yaml") }
                let context = Comment(rawValue: "seed \(seed): \(path): \(value)")
                switch (kind, parsed) {
                case (.duration(let min, let max), .success(let configuration)):
                    let read = Self.durations[path]!(configuration)
                    #expect(read >= min && read <= max, context)
                    if let written = Self.expectedMilliseconds(value) {
                        #expect(abs(Self.milliseconds(read) - written) <= 1, context)
                    }
                case (.integer(let min, let max), .success(let configuration)):
                    let read = Self.integers[path]!(configuration)
                    #expect(read >= min && read <= max, context)
                case (_, .failure(let error)):
                    let diagnostics = (error as? ConfigError)?.diagnostics ?? []
                    #expect(diagnostics.count == 1, context)
                    #expect(diagnostics.first.map { $0.location.line > 0 && $0.message.contains(path) } == true, context)
                    if case .duration(let min, let max) = kind, let written = Self.expectedMilliseconds(value) {
                        // A well-formed duration is refused only when it is out of bounds.
                        #expect(written < Self.milliseconds(min) || written > Self.milliseconds(max), context)
                    }
                    if case .integer(let min, let max) = kind, let written = Int(value) {
                        #expect(written < min || written > max, context)
                    }
                }
            }
        }
    }

    @Test func listenPortsOutsideTheTCPRangeAreRefused() throws {
        var random = SplitMix64(state: UInt64(Date().timeIntervalSince1970))
        for _ in 0..<200 {
            let port = Int(random.next() % 200_000)
            let text = "environment: staging\nrepository:\n  url: https://github.com/clipnet/clipnet.git\nlisten: 127.0.0.1:\(port)\n"
            let parsed = Result { try DaemonConfiguration.parse(text, file: "reconciler.yaml") }
            switch parsed {
            case .success(let configuration):
                #expect(port <= 65535 && configuration.listenPort == port, "port \(port)")
            case .failure(let error):
                #expect(port > 65535, "port \(port)")
                #expect((error as? ConfigError)?.description.contains("out of range") == true)
            }
        }
    }

    @Test(arguments: ["9999999999999999h", "0s", "1e300s", "99999999999999999999999999999999ms"])
    func theDurationsThatCrashedOrSpunAreRefused(value: String) {
        let text = Self.document(path: "repository.pollInterval", value: value)
        #expect(throws: ConfigError.self) { try DaemonConfiguration.parse(text, file: "reconciler.yaml") }
    }

    @Test func anIntegerErrorSaysWhatWasFound() throws {
        for (value, found) in [("0x708", "0x708 (1800)"), ("99999999999999999999", "99999999999999999999")] {
            let text = Self.document(path: "reconcile.platformAttempts", value: value)
            let error = try #require(throws: ConfigError.self) { try DaemonConfiguration.parse(text, file: "reconciler.yaml") }
            #expect(error.description.contains(found), "\(error)")
            #expect(error.description.contains("expected an integer from 1 to 20"), "\(error)")
        }
    }

    @Test(arguments: [("nan", "found nan"), ("1e300", "found 1e+300"), ("-1", "found -1.0"), ("inf", "found inf")])
    func aFlagOfSecondsOutOfRangeIsNamed(value: String, found: String) throws {
        let problem = NumericRange.problem(seconds: Double(value)!, flag: "--grace-seconds", range: 0...3600)
        #expect(problem == "--grace-seconds must be a number of seconds from 0 to 3600; \(found)")
        #expect(NumericRange.problem(seconds: 25, flag: "--grace-seconds", range: 0...3600) == nil)
    }
}
