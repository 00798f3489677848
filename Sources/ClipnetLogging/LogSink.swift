import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where finished log lines go. Each call receives one whole line, newline included.
///
/// Why a closure and not a file handle: tests capture lines in memory without bootstrapping the
/// process-wide logging system (which traps when done twice).
public struct LogSink: Sendable {
    private let writeLine: @Sendable (String) -> Void

    public init(_ writeLine: @escaping @Sendable (String) -> Void) {
        self.writeLine = writeLine
    }

    func write(_ line: String) {
        writeLine(line)
    }

    /// Standard error, one `write(2)` per line under a lock, so concurrent records never interleave.
    public static let standardError = LogSink.fileDescriptor(2)
    /// Standard output, the same way.
    public static let standardOutput = LogSink.fileDescriptor(1)

    private static func fileDescriptor(_ descriptor: Int32) -> LogSink {
        let writer = DescriptorWriter(descriptor)
        return LogSink { writer.write($0) }
    }
}

/// One lock per descriptor, so lines from concurrent tasks come out whole.
private final class DescriptorWriter: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    init(_ descriptor: Int32) {
        self.descriptor = descriptor
    }

    func write(_ line: String) {
        lock.withLock { _ in
            var line = line
            line.withUTF8 { writeAll(descriptor, $0) }
        }
    }
}

/// Writes the whole buffer, retrying after signals and short writes; gives up on other errors
/// (a closed pipe must not take the process down with it).
private func writeAll(_ descriptor: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
    guard let base = buffer.baseAddress else { return }
    var offset = 0
    while offset < buffer.count {
        let written = write(descriptor, base + offset, buffer.count - offset)
        if written < 0 && errno == EINTR { continue }
        guard written > 0 else { return }
        offset += written
    }
}

/// Collects lines in memory, for tests of what gets logged.
public final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    public var sink: LogSink {
        LogSink { [self] line in storage.withLock { $0.append(line) } }
    }

    /// The lines written so far, without their trailing newline.
    public var lines: [String] {
        storage.withLock { $0.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 } }
    }
}
