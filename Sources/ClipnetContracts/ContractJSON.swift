import ClipnetFormats
public import Foundation

/// The one JSON encoding of the contracts: the store's two backends, `/status` and the other
/// operator documents, and the CLI reading them. Sorted keys (stable diffs) and RFC 3339 UTC
/// times with milliseconds, so a record reads the same on disk, in PostgreSQL and on the wire.
public enum ContractJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(rfc3339(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = parseRFC3339(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        return decoder
    }

    /// `2026-11-25T04:30:00.123Z`
    public static func rfc3339(_ date: Date) -> String {
        RFC3339.string(from: date)
    }

    public static func parseRFC3339(_ text: String) -> Date? {
        RFC3339.date(from: text)
    }
}
