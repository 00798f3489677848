/// A position in a manifest file, so every complaint can be fixed without searching.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The file as the caller named it (e.g. `deploy/staging.yaml`).
    public let file: String
    /// 1-based line; 0 when the complaint concerns the whole file.
    public let line: Int
    /// 1-based column; 0 when the complaint concerns the whole file.
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// A location naming a whole file (no line or column).
    public static func file(_ file: String) -> SourceLocation {
        SourceLocation(file: file, line: 0, column: 0)
    }

    /// `file:line:column`, or just `file` when there is no position.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column)" : file
    }
}
