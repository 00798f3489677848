import Foundation
import Logging
import Synchronization

/// Writes each log record as one JSON line (`ts`, `level`, `msg`, `label`, then the metadata:
/// `job.id`, `job.type`, `job.attempt`, `environment`, ...), so log pipelines need no parsing rules.
public struct JSONLogHandler: LogHandler {
    /// Serialises writes from concurrent tasks into whole lines.
    private static let output = Mutex<FileHandle>(FileHandle.standardOutput)

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.line(level: event.level, message: "\(event.message)", label: label, metadata: merged)
        Self.output.withLock { $0.write(Data(line.utf8)) }
    }

    static func line(level: Logger.Level, message: String, label: String, metadata: Logger.Metadata) -> String {
        var object: [String: Any] = [
            "ts": ISO8601DateFormatter.string(from: Date(), timeZone: .gmt, formatOptions: [.withInternetDateTime, .withFractionalSeconds]),
            "level": level.rawValue, "msg": message, "label": label,
        ]
        for (key, value) in metadata { object[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{\"level\":\"\(level.rawValue)\",\"msg\":\"unencodable log record\"}\n"
        }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): array.map(plain)
        case .dictionary(let dictionary): dictionary.mapValues(plain)
        }
    }
}
