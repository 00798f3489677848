import Foundation

/// A GitHub API call that did not succeed, with what the caller can do about it.
public struct GitHubError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// The HTTP status, when GitHub answered.
    public var status: Int?
    /// How long GitHub asked us to wait: `Retry-After` on a secondary limit, or until
    /// `X-RateLimit-Reset` when `X-RateLimit-Remaining` is 0.
    public var retryAfter: Duration?

    public init(_ message: String, status: Int? = nil, retryAfter: Duration? = nil) {
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    /// Whether the same call later may succeed: network failures, 5xx and rate limits. A 401, a
    /// 404 (wrong repository, or a token that cannot see it) or a 422 need a person.
    public var isRetryable: Bool {
        guard let status else { return true }
        return status >= 500 || status == 429 || retryAfter != nil
    }

    public var description: String { message }
}
