/// The result of one statement, copied out of libpq's `PGresult` (which is cleared at once), so
/// it can cross tasks freely. Values are in PostgreSQL's text format; NULL is `nil`.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names, in the order of the select list.
    public let columns: [String]
    /// The command tag, e.g. `INSERT 0 3`, `UPDATE 1`, `SELECT 2`, `COMMIT`.
    public let commandTag: String
    /// Rows inserted, updated, deleted or selected, when the command reports a count.
    public let affectedRows: Int?
    private let values: [[String?]]

    public init(columns: [String], values: [[String?]], commandTag: String, affectedRows: Int?) {
        self.columns = columns
        self.values = values
        self.commandTag = commandTag
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(columns: columns, values: values[position])
    }
}

/// One row of a `PostgresRows`.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let values: [String?]

    /// The value of the column at `index`; nil for NULL.
    public subscript(index: Int) -> String? { values[index] }

    /// The value of the column named `name`; nil for NULL or when there is no such column.
    public subscript(name: String) -> String? {
        columns.firstIndex(of: name).flatMap { values[$0] }
    }

    /// A non-NULL text value; throws `.unexpectedResult` for NULL or a missing column.
    public func string(_ name: String) throws -> String {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(.unexpectedResult, message: "the result has no column '\(name)' (columns: \(columns.joined(separator: ", ")))")
        }
        guard let value = values[index] else {
            throw PostgresError(.unexpectedResult, message: "column '\(name)' is NULL")
        }
        return value
    }

    /// A non-NULL `bigint`/`integer` value.
    public func int64(_ name: String) throws -> Int64 {
        let text = try string(name)
        guard let value = Int64(text) else {
            throw PostgresError(.unexpectedResult, message: "column '\(name)' is not an integer: \(text)")
        }
        return value
    }

    /// A non-NULL `boolean` value (`t` or `f` in text format).
    public func bool(_ name: String) throws -> Bool {
        switch try string(name) {
        case "t": return true
        case "f": return false
        case let other: throw PostgresError(.unexpectedResult, message: "column '\(name)' is not a boolean: \(other)")
        }
    }
}
