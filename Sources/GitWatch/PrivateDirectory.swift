import Foundation
import Glibc

/// Creates directories readable by the daemon's user only.
///
/// Why: the mirror is usually the first thing to create the state directory; created 0755 it
/// would let any local user read the repository and the store next to it.
enum PrivateDirectory {
    /// Creates `path` and any missing parent with mode 0700 (existing parents are left as they are).
    static func create(_ path: String) throws {
        var missing: [String] = []
        var current = (path as NSString).standardizingPath
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw GitError(.other, "cannot create \(directory): \(String(cString: strerror(errno)))", function: "mkdir")
            }
        }
    }
}
