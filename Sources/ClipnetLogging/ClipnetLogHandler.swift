public import Logging

/// A swift-log handler that writes one line per record: a JSON object for log pipelines, or
/// readable text for a person at a terminal (`ClipnetLogging.bootstrap` picks by `isatty`).
///
/// Why our own handler: the daemon's logs are read by machines (one JSON object per line, dotted
/// metadata keys such as `rollout.id`, `revision`, `service`) and by on-call at a terminal; the
/// swift-log default (`StreamLogHandler`) is text only. Nested metadata is flattened into dotted
/// keys, and values under credential-looking keys (`token`, `secret`, `password`, ...) are masked,
/// as a last line of defence: the code base never puts secrets into metadata in the first place.
public struct ClipnetLogHandler: LogHandler {
    /// How each record is written.
    public enum Format: Sendable, Equatable {
        /// `{"time":"…","level":"info","label":"…","message":"…","revision":"…"}`
        case json
        /// `2026-11-30T10:00:00.000Z info clipnet.reconciler: message revision=…`
        case text
    }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    public let label: String
    public let format: Format
    private let sink: LogSink

    public init(
        label: String, format: Format, level: Logger.Level = .info, sink: LogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let record = LogRecord(
            time: LogTime.now(), level: event.level, label: label, message: event.message.description,
            error: event.error.map { String(describing: $0) }, fields: MetadataFlattening.flatten(merged))
        switch format {
        case .json: sink.write(record.jsonLine())
        case .text: sink.write(record.textLine())
        }
    }
}
