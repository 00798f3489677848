public import Logging
public import Synchronization

/// A log handler that keeps every rendered line: to read what an operator would see, and to check
/// that no secret is ever logged.
public final class CapturingLogHandler: LogHandler, Sendable {
    public let lines = Mutex<[String]>([])

    public init() {}

    public var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }

    public var logLevel: Logger.Level {
        get { .trace }
        set {}
    }

    public subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    public func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }

    public var logger: Logger { Logger(label: "capture") { _ in self } }
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
