public import ClipnetContracts

/// A platform call that failed, with whether trying again later can help.
///
/// Messages name the platform, the operation and the platform's error code and text; they never
/// hold a token or a variable value (the transport scrubs known secrets from anything the platform
/// echoes back).
public struct DeployerError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case unauthorized, notFound, invalidRequest, conflict, rateLimited, serverError, transport, retriesExhausted,
                partialFailure, platformError, invalidResponse, deadlineExceeded, unsupportedService, rollbackUnavailable
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The token is missing, wrong or lacks the scope (401/403, GraphQL "Not Authorized").
        public static let unauthorized = Code(.unauthorized)
        /// The project, deployment, alias or service does not exist (404, GraphQL "not found").
        public static let notFound = Code(.notFound)
        /// The platform rejected the request as given (400/422, GraphQL validation, unknown commit).
        public static let invalidRequest = Code(.invalidRequest)
        /// 409 from the platform.
        public static let conflict = Code(.conflict)
        /// The platform's rate limit: a 429 whose `Retry-After` is longer than the client waits
        /// inside one call, a 429 that persisted through every attempt, or a call not sent because
        /// an earlier 429 asked to wait longer (see `retryAfter`). Never a reason to fail a
        /// rollout: wait and try again.
        public static let rateLimited = Code(.rateLimited)
        /// A 5xx answer (only thrown directly for non-retried calls).
        public static let serverError = Code(.serverError)
        /// No response: connect failure, timeout, reset (only thrown directly for non-retried calls).
        public static let transport = Code(.transport)
        /// Every allowed attempt failed with a retryable answer; the last cause is in the message.
        public static let retriesExhausted = Code(.retriesExhausted)
        /// Some items of a batch failed (Vercel env upsert `failed` array).
        public static let partialFailure = Code(.partialFailure)
        /// Any other platform error (GraphQL `errors`, unexpected status).
        public static let platformError = Code(.platformError)
        /// The response did not have the documented shape.
        public static let invalidResponse = Code(.invalidResponse)
        /// A deployment did not reach a terminal state before the wait's deadline.
        public static let deadlineExceeded = Code(.deadlineExceeded)
        /// This deployer does not handle the service (e.g. `api` on Vercel).
        public static let unsupportedService = Code(.unsupportedService)
        /// The platform will not roll back to that deployment (Railway `canRollback: false`).
        public static let rollbackUnavailable = Code(.rollbackUnavailable)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String
    /// Whether the same call may succeed if made again later.
    public let isRetryable: Bool
    public let platform: Platform?
    /// The platform operation, e.g. `createDeployment` or `serviceInstanceDeployV2`.
    public let operation: String?
    /// The HTTP status of the last answer, if there was one.
    public let httpStatus: Int?
    /// How long the platform asked to wait before this request may be sent again (`Retry-After`,
    /// exactly as given, less the time already waited), when it said.
    public let retryAfter: Duration?

    public init(
        _ code: Code, _ message: String, isRetryable: Bool, platform: Platform? = nil, operation: String? = nil, httpStatus: Int? = nil,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.message = message
        self.isRetryable = isRetryable
        self.platform = platform
        self.operation = operation
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
    }

    /// Whether this is the platform's rate limit: wait (`retryAfter` when given) rather than fail.
    public var isRateLimited: Bool { code == .rateLimited }

    public var description: String {
        let origin = [platform?.rawValue, operation].compactMap { $0 }.joined(separator: " ")
        let wait = retryAfter.map { ", retry after \($0.components.seconds) s" } ?? ""
        return "DeployerError(\(code)\(origin.isEmpty ? "" : ", \(origin)")\(httpStatus.map { ", HTTP \($0)" } ?? "")\(wait)): \(message)"
    }
}
