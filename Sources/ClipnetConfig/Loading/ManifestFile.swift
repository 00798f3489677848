#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading a manifest or configuration file as bounded UTF-8 text, with errors that say what is
/// wrong with the file.
///
/// Why not `String(contentsOfFile:)`: it answered a folder with "NSCocoaErrorDomain error 256",
/// `/dev/zero` with "You don't have permission" (as root) after reading for ever, and binary
/// content with "isn't in the correct format"; a FIFO blocked it. Here the file's type and size
/// are checked before a byte is read, the read is bounded, and the text must be UTF-8 without NUL.
public enum ManifestFile {
    /// The text of `path`, or nil when nothing is there.
    /// - Throws: `ConfigError` `.invalidManifest` with one `.unreadable` or `.limit` diagnostic.
    public static func read(_ path: String, limits: ManifestLimits = .defaults) throws -> String? {
        var link = stat()
        guard lstat(path, &link) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw unreadable(path, "cannot be read: \(describe(errno))")
        }
        let isLink = link.st_mode & S_IFMT == S_IFLNK
        var target = stat()
        guard stat(path, &target) == 0 else {
            let code = errno
            if code == ELOOP { throw unreadable(path, "is a symbolic link loop; expected a YAML file") }
            if isLink, code == ENOENT { throw unreadable(path, "is a symbolic link to a missing file; expected a YAML file") }
            throw unreadable(path, "cannot be read: \(describe(code))")
        }
        let via = isLink ? "is a symbolic link to " : "is "
        if let problem = kindProblem(target.st_mode) { throw unreadable(path, via + problem) }
        if Int(target.st_size) > limits.maximumBytes {
            throw refused(path, "\(via)a file of \(target.st_size) bytes; the limit is \(limits.maximumBytes) bytes")
        }
        // Non-blocking: should the file be swapped for a FIFO after the check, open and read
        // return at once instead of waiting for a writer.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path, "cannot be opened: \(describe(errno))") }
        defer { close(descriptor) }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else { throw unreadable(path, "cannot be read: \(describe(errno))") }
        if let problem = kindProblem(opened.st_mode) { throw unreadable(path, "is " + problem) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { readBytes(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path, "cannot be read: \(describe(errno))")
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > limits.maximumBytes {
                throw refused(path, "is larger than \(limits.maximumBytes) bytes; the limit is \(limits.maximumBytes) bytes")
            }
        }
        return try decode(bytes, file: path, limits: limits)
    }

    /// `bytes` (a file read from git, say) as text, under the same rules as `read`.
    /// - Throws: `ConfigError` `.invalidManifest` when the bytes are too many, binary or not UTF-8.
    public static func decode(_ bytes: [UInt8], file: String, limits: ManifestLimits = .defaults) throws -> String {
        if bytes.count > limits.maximumBytes {
            throw refused(file, "is \(bytes.count) bytes; the limit is \(limits.maximumBytes) bytes")
        }
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = position(of: nul, in: bytes)
            throw ConfigError(
                .invalidManifest, "\(file) is binary data, not text",
                diagnostics: [
                    Diagnostic(
                        .unreadable, at: SourceLocation(file: file, line: line, column: column),
                        "contains a NUL byte (binary data); expected UTF-8 text")
                ])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8(bytes)
            let (line, column) = position(of: offset, in: bytes)
            throw ConfigError(
                .invalidManifest, "\(file) is not UTF-8 text",
                diagnostics: [
                    Diagnostic(
                        .unreadable, at: SourceLocation(file: file, line: line, column: column),
                        "byte 0x\(String(bytes[offset], radix: 16, uppercase: true)) is not valid UTF-8; expected UTF-8 text")
                ])
        }
        return text
    }

    private static func readBytes(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    /// What is wrong with a file of `mode`, or nil for a regular file.
    private static func kindProblem(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a folder; expected a YAML file"
        case S_IFIFO: "a FIFO (named pipe); expected a regular YAML file"
        case S_IFCHR: "a character device; expected a regular YAML file"
        case S_IFBLK: "a block device; expected a regular YAML file"
        case S_IFSOCK: "a socket; expected a regular YAML file"
        default: "not a regular file; expected a YAML file"
        }
    }

    private static func unreadable(_ path: String, _ problem: String) -> ConfigError {
        ConfigError(.invalidManifest, "\(path) \(problem)", diagnostics: [Diagnostic(.unreadable, at: .file(path), problem)])
    }

    private static func refused(_ path: String, _ problem: String) -> ConfigError {
        ConfigError(.invalidManifest, "\(path) \(problem)", diagnostics: [Diagnostic(.limit, at: .file(path), problem)])
    }

    private static func describe(_ code: Int32) -> String {
        switch code {
        case EACCES, EPERM: "permission denied"
        case EISDIR: "it is a folder"
        case ENAMETOOLONG: "the path is too long"
        default: String(cString: strerror(code))
        }
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length = lead < 0x80 ? 1 : lead & 0xE0 == 0xC0 ? 2 : lead & 0xF0 == 0xE0 ? 3 : lead & 0xF8 == 0xF0 ? 4 : 0
            guard length > 0, index + length <= bytes.count,
                String(validating: bytes[index..<(index + length)], as: UTF8.self) != nil
            else { return index }
            index += length
        }
        return max(0, bytes.count - 1)
    }

    /// 1-based line and column of a byte offset.
    private static func position(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
