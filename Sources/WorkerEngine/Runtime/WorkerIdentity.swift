public import Foundation

/// Names a worker process: unique per process start, readable in `CLIENT LIST` and heartbeats.
/// No colons, because the id sits inside key names (`inflight:<id>:<slot>`).
public enum WorkerIdentity {
    public static func make(host: String = ProcessInfo.processInfo.hostName) -> String {
        let safeHost = host.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" }
        let suffix = UUID().uuidString.lowercased().prefix(8)
        return "\(String(safeHost.prefix(40)))-\(ProcessInfo.processInfo.processIdentifier)-\(suffix)"
    }
}
