internal import CLibPQ

/// Owns one `PGresult` and clears it in `deinit`. Lives only inside one blocking work item:
/// everything the caller needs is copied into Swift values (`PostgresRows`, `PostgresError`)
/// before the work item ends.
final class ResultHandle {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) {
        self.raw = raw
    }

    deinit {
        PQclear(raw)
    }

    var status: ExecStatusType { PQresultStatus(raw) }

    /// One diagnostic field (`PG_DIAG_SQLSTATE`, `PG_DIAG_MESSAGE_PRIMARY`, ...), if present.
    func errorField(_ code: Int32) -> String? {
        PQresultErrorField(raw, code).map { String(cString: $0) }
    }

    /// The whole error text libpq formatted for this result.
    var errorMessage: String {
        PQresultErrorMessage(raw).map { String(cString: $0) } ?? ""
    }

    /// Copies columns, values (text format) and the command tag.
    func copyRows() -> PostgresRows {
        let rowCount = Int(PQntuples(raw))
        let columnCount = Int(PQnfields(raw))
        let columns = (0..<columnCount).map { column in
            PQfname(raw, Int32(column)).map { String(cString: $0) } ?? ""
        }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var rowValues: [String?] = []
            rowValues.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(raw, Int32(row), Int32(column)) != 0 {
                    rowValues.append(nil)
                } else {
                    let length = Int(PQgetlength(raw, Int32(row), Int32(column)))
                    let start = PQgetvalue(raw, Int32(row), Int32(column))
                    let bytes = UnsafeRawBufferPointer(start: start, count: length)
                    rowValues.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            values.append(rowValues)
        }
        let tag = PQcmdStatus(raw).map { String(cString: $0) } ?? ""
        let count = PQcmdTuples(raw).flatMap { Int(String(cString: $0)) }
        return PostgresRows(columns: columns, values: values, commandTag: tag, affectedRows: count)
    }
}
