/// An error of the queue or the worker runtime: a code to act on and a message free of secrets.
public struct QueueError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String { case invalidEnvelope, unknownType, redis, configuration, isolation, invalidArgument }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The stored envelope is not valid JSON or misses a required field.
        public static let invalidEnvelope = Code(.invalidEnvelope)
        /// No handler is registered for the job's type.
        public static let unknownType = Code(.unknownType)
        /// Redis answered unexpectedly.
        public static let redis = Code(.redis)
        /// The worker's configuration is incomplete or wrong.
        public static let configuration = Code(.configuration)
        /// The isolation guard refused the configuration.
        public static let isolation = Code(.isolation)
        /// A caller passed something unusable.
        public static let invalidArgument = Code(.invalidArgument)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "QueueError(\(code)): \(message)" }
}
