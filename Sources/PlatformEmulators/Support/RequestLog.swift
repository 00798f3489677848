public import ClipnetJSON
import Foundation
import Synchronization

/// Every request an emulator received (admin calls excluded), in arrival order, so tests can count
/// calls (idempotency, retries) and replay the exact bodies the clients sent.
public final class RequestLog: Sendable {
    /// One received request and the status it was answered with.
    public struct Entry: Sendable {
        public let sequence: Int
        public let method: String
        public let path: String
        public let query: [(name: String, value: String)]
        public let headers: [String: String]
        public let body: [UInt8]
        /// For GraphQL emulators: the root field names of the operation (e.g. `serviceInstanceDeployV2`).
        public var operation: String?
        public var status: Int
        /// Whether the answer came from fault injection rather than the platform logic.
        public var injectedFault: Bool

        public var json: JSONValue? { JSONValue.parse(body) }

        public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    /// Records `request`; returns its sequence number for `complete`.
    @discardableResult
    func record(_ request: EmulatorRequest) -> Int {
        entries.withLock { list in
            let sequence = list.count
            list.append(
                Entry(
                    sequence: sequence, method: request.method, path: request.path, query: request.query,
                    headers: request.headers, body: request.body, operation: nil, status: 0, injectedFault: false
                ))
            return sequence
        }
    }

    func complete(_ sequence: Int, status: Int, operation: String?, injectedFault: Bool) {
        entries.withLock { list in
            guard list.indices.contains(sequence) else { return }
            list[sequence].status = status
            list[sequence].operation = operation
            list[sequence].injectedFault = injectedFault
        }
    }

    /// A copy of every entry so far.
    public var all: [Entry] { entries.withLock { $0 } }

    /// Entries for `method` and `path` (exact path match).
    public func requests(_ method: String, _ path: String) -> [Entry] {
        all.filter { $0.method == method.uppercased() && $0.path == path }
    }

    /// Entries whose GraphQL operation is `operation`.
    public func requests(operation: String) -> [Entry] {
        all.filter { $0.operation == operation }
    }

    public func count(where predicate: (Entry) -> Bool) -> Int { all.filter(predicate).count }

    public func clear() { entries.withLock { $0.removeAll() } }

    /// The log as JSON for the admin endpoint; headers are left out, since they carry tokens.
    var json: JSONValue {
        .array(
            all.map { entry in
                [
                    "sequence": .number(Double(entry.sequence)),
                    "method": .string(entry.method),
                    "path": .string(entry.path),
                    "query": .object(Dictionary(entry.query.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { a, _ in a })),
                    "operation": .optional(entry.operation),
                    "status": .number(Double(entry.status)),
                    "injectedFault": .bool(entry.injectedFault),
                    "body": entry.json ?? .string(String(decoding: entry.body, as: UTF8.self)),
                ]
            })
    }
}
