public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide logging set-up for the executables (`reconciler`, `clipnet-worker`).
///
/// Call `bootstrap` once, first thing in `main`: swift-log traps when bootstrapped twice, which is
/// also why libraries and tests never call it (tests give a `ClipnetLogHandler` with a
/// `LogCapture` sink to the `Logger` they pass in).
public enum ClipnetLogging {
    /// Which format to write.
    public enum FormatChoice: Sendable, Equatable {
        /// Text when standard error is a terminal, JSON lines otherwise (a pipe, a file, journald).
        case automatic
        case json
        case text
    }

    /// Routes every `Logger` of the process to a `ClipnetLogHandler` on standard error.
    /// - Parameters:
    ///   - level: the lowest level written.
    ///   - format: `.automatic` decides by `isatty(2)`.
    public static func bootstrap(level: Logger.Level = .info, format: FormatChoice = .automatic) {
        let resolved = resolve(format, standardErrorIsTerminal: isatty(2) == 1)
        LoggingSystem.bootstrap { label in
            ClipnetLogHandler(label: label, format: resolved, level: level, sink: .standardError)
        }
    }

    /// The format `choice` means for a process whose standard error is (or is not) a terminal.
    public static func resolve(_ choice: FormatChoice, standardErrorIsTerminal: Bool) -> ClipnetLogHandler.Format {
        switch choice {
        case .json: .json
        case .text: .text
        case .automatic: standardErrorIsTerminal ? .text : .json
        }
    }

    /// Reads `LOG_LEVEL` (`trace` … `critical`) and `LOG_FORMAT` (`json`, `text`, `auto`) from an
    /// environment, for executables that let operators choose.
    public static func settings(from environment: [String: String]) -> (level: Logger.Level, format: FormatChoice) {
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        let format: FormatChoice =
            switch environment["LOG_FORMAT"]?.lowercased() {
            case "json": .json
            case "text": .text
            default: .automatic
            }
        return (level, format)
    }
}
