public import Foundation

/// Writes a file whole or not at all: a temporary file with the final mode, renamed over the
/// path, so a reader never sees half a file and a secret is never readable by others, not even
/// for a moment. The operator token file and `reconciler init`'s files are written this way.
public enum PrivateFileWriter {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ data: Data, to path: String, mode: Int = 0o600) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: mode]) else {
            throw Failure(description: "cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw Failure(description: "cannot replace \(path): \(String(cString: strerror(code)))")
        }
    }
}
