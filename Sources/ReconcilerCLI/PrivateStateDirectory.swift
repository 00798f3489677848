import ClipnetConfig
import Foundation

/// Makes the daemon's files private before anything writes one.
///
/// Why here, first: the git mirror used to create the state folder (0755) before the store could
/// make it 0700, and the mirror's files inherited the process umask. With the umask at 077 and the
/// folders created (or tightened to) 0700 at start, the order in which modules open no longer
/// matters.
enum PrivateStateDirectory {
    /// Sets the umask to 077, then creates or tightens the file store's folder and the mirror's.
    /// - Returns: the folders that were tightened from a wider mode, for a log line.
    static func prepare(_ configuration: DaemonConfiguration, environment: [String: String]) throws -> [String] {
        umask(0o077)
        var folders: [String] = []
        if let url = try? configuration.stateURL(environment: environment), let directory = fileDirectory(url) {
            folders.append(directory)
        }
        if let mirror = configuration.mirrorDirectory {
            folders.append(mirror)
        } else if folders.isEmpty {
            folders.append("state")
        }
        var tightened: [String] = []
        for folder in folders where try secure(folder) {
            tightened.append(folder)
        }
        return tightened
    }

    /// The folder of a `file:` state URL.
    static func fileDirectory(_ url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        if url.hasPrefix("file:") { return String(url.dropFirst("file:".count)) }
        return nil
    }

    /// Creates `path` 0700 (parents as needed), or makes an existing folder 0700.
    /// - Returns: whether an existing folder was wider than 0700.
    static func secure(_ path: String) throws -> Bool {
        var status = stat()
        if stat(path, &status) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ConfigError(.invalidManifest, "cannot create the state folder \(path): \(String(cString: strerror(errno)))")
            }
            _ = chmod(path, 0o700)
            return false
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw ConfigError(.invalidManifest, "the state folder \(path) exists and is not a folder")
        }
        guard status.st_mode & 0o077 != 0 else { return false }
        guard chmod(path, 0o700) == 0 else {
            throw ConfigError(.invalidManifest, "cannot make the state folder \(path) private (mode 0700): \(String(cString: strerror(errno)))")
        }
        return true
    }
}
