/// An error a handler throws to say how its job failed. Anything else thrown is `.transient`.
public struct JobFailure: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidPayload, permanent, transient }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The payload is wrong: retrying cannot help, the job goes to the dead set now.
        public static let invalidPayload = Code(.invalidPayload)
        /// The job cannot succeed (for example a media path outside the environment's folder).
        public static let permanent = Code(.permanent)
        /// May succeed later: retried with backoff.
        public static let transient = Code(.transient)

        public var description: String { value.rawValue }
        public var retries: Bool { self == .transient }
    }

    public let code: Code
    /// Shown in the dead set and the logs: must never contain a secret.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func invalidPayload(_ message: String) -> JobFailure { JobFailure(.invalidPayload, message) }
    public static func permanent(_ message: String) -> JobFailure { JobFailure(.permanent, message) }
    public static func transient(_ message: String) -> JobFailure { JobFailure(.transient, message) }

    public var description: String { "\(code): \(message)" }
}
