import AsyncPrimitives
import ClipnetContracts
import Foundation
import HTTPTransport
import Logging
import Metrics

/// The layer both clients send through: timeouts, retries (429 with `Retry-After`, 5xx and network
/// failures with capped exponential backoff, bounded attempts), typed errors, metrics and logs
/// that never hold a token, a header or a body.
///
/// A `Retry-After` of any length is honoured: a wait up to `maximumRetryAfter` happens inside the
/// call; a longer one fails the call with `rateLimited` and the exact delay in `retryAfter`, and
/// `gate` refuses to send that request again before the delay is over.
struct PlatformTransport: Sendable {
    /// Which failures may be retried for a call.
    enum RetryMode: Sendable {
        /// The call can be repeated blindly (reads, upserts, alias assignment): retry 429, 5xx and
        /// network failures.
        case idempotent
        /// Repeating could act twice (creating a deployment): retry only answers that prove the
        /// request was not processed (429, connect and DNS failures). Other failures are thrown
        /// with `isRetryable`, and the caller looks up what happened before trying again.
        case unprocessedOnly
    }

    let client: HTTPClient
    let platform: Platform
    let configuration: TransportConfiguration
    let logger: Logger
    let scrubber: SecretScrubber
    /// Until when the platform asked not to be called again; shared by copies of the deployer.
    let gate: RateLimitGate
    /// Requests sent, for the status page's budget line; shared with the reconciler.
    let counter: PlatformRequestCounter

    /// Sends `request` until it gets a final answer and returns it if 2xx.
    /// - Parameters:
    ///   - operation: the platform operation, for metrics, logs and errors.
    ///   - extraSecrets: values in this request's body to keep out of errors (variable values).
    ///   - describeError: the platform's error code and message from an error body.
    func send(
        _ request: HTTPRequest,
        operation: String,
        retry: RetryMode,
        extraSecrets: [String] = [],
        describeError: @Sendable (HTTPResponse) -> String?,
        inspectSuccess: @Sendable (HTTPResponse, SecretScrubber) -> DeployerError? = { _, _ in nil }
    ) async throws -> HTTPResponse {
        var request = request
        request.timeout = configuration.requestTimeout
        request.connectTimeout = configuration.connectTimeout
        let scrubber = extraSecrets.isEmpty ? self.scrubber : self.scrubber.adding(extraSecrets)
        var logger = self.logger
        logger[metadataKey: "platform.name"] = "\(platform)"
        logger[metadataKey: "platform.operation"] = "\(operation)"
        var attempt = 0
        var lastRetryAfter: Duration?
        while true {
            attempt += 1
            try Task.checkCancellation()
            if let wait = gate.remaining(for: operation) {
                // An earlier 429 asked to wait: never send earlier than it said.
                guard wait <= configuration.maximumRetryAfter else {
                    throw DeployerError(
                        .rateLimited, "rate limited by \(platform) for another \(wait.components.seconds) s; the request was not sent",
                        isRetryable: true, platform: platform, operation: operation, httpStatus: 429, retryAfter: wait
                    )
                }
                try await Task.sleep(for: wait + Self.jitter(upTo: configuration.retryAfterJitter))
            }
            let started = ContinuousClock.now
            let outcome: Result<HTTPResponse, HTTPTransportError>
            do {
                outcome = .success(try await client.send(request))
            } catch let error as HTTPTransportError {
                outcome = .failure(error)
            }
            let elapsed = started.duration(to: .now)
            let statusLabel: String
            switch outcome {
            case .success(let response): statusLabel = String(response.status)
            case .failure: statusLabel = "error"
            }
            record(operation: operation, status: statusLabel, duration: elapsed)

            let delay: Duration
            let cause: DeployerError
            switch outcome {
            case .success(let response) where response.isSuccess:
                // A 2xx can still carry an error (Railway answers GraphQL errors with HTTP 200).
                guard let problem = inspectSuccess(response, scrubber) else {
                    logger.debug("platform call succeeded", metadata: ["http.status": "\(response.status)", "attempt": "\(attempt)"])
                    return response
                }
                guard problem.isRetryable, retry == .idempotent else { throw problem }
                delay = configuration.backoff.delay(afterFailures: attempt)
                cause = problem
            case .success(let response):
                let detail = scrubber.scrub(describeError(response) ?? "HTTP \(response.status)")
                let error = Self.error(for: response.status, detail: detail, platform: platform, operation: operation)
                // 429, and a 503 that says when to come back (VCLI honours both, docs/platforms.md).
                let retryAfter = Self.retryAfter(of: response)
                if response.status == 429 || (response.status == 503 && retryAfter != nil && retry == .idempotent) {
                    let asked = retryAfter ?? configuration.backoff.delay(afterFailures: attempt)
                    lastRetryAfter = retryAfter
                    if retryAfter != nil { gate.block(operation, for: asked, now: started.advanced(by: elapsed)) }
                    guard asked <= configuration.maximumRetryAfter else {
                        throw DeployerError(
                            response.status == 429 ? .rateLimited : .serverError,
                            "\(detail); the platform asked to wait \(asked.components.seconds) s before trying again",
                            isRetryable: true, platform: platform, operation: operation, httpStatus: response.status, retryAfter: asked
                        )
                    }
                    // The gate makes the next attempt wait out the rest; the jitter spreads replicas.
                    delay = retryAfter == nil ? asked : .zero
                } else if error.isRetryable, retry == .idempotent {
                    delay = configuration.backoff.delay(afterFailures: attempt)
                } else {
                    throw error
                }
                cause = error
            case .failure(let transportError):
                let message = scrubber.scrub(transportError.message)
                let notSent = [.couldNotConnect, .dnsFailure].contains(transportError.code)
                let error = DeployerError(
                    .transport, "\(transportError.code): \(message)", isRetryable: transportError.isRetryable,
                    platform: platform, operation: operation
                )
                guard transportError.isRetryable, retry == .idempotent || notSent else { throw error }
                delay = configuration.backoff.delay(afterFailures: attempt)
                cause = error
            }
            guard attempt < configuration.maxAttempts else {
                logger.warning("platform call failed, attempts exhausted", metadata: ["attempt": "\(attempt)", "error.code": "\(cause.code)"])
                if cause.code == .rateLimited {
                    // A rate limit that outlasts the attempts is a reason to wait, not a failure.
                    throw DeployerError(
                        .rateLimited, "still rate limited after \(configuration.maxAttempts) attempts; last: \(cause.message)",
                        isRetryable: true, platform: platform, operation: operation, httpStatus: cause.httpStatus,
                        retryAfter: lastRetryAfter ?? gate.remaining(for: operation)
                    )
                }
                throw DeployerError(
                    .retriesExhausted, "\(configuration.maxAttempts) attempts failed; last: \(cause.message)",
                    isRetryable: false, platform: platform, operation: operation, httpStatus: cause.httpStatus
                )
            }
            logger.info(
                "platform call failed, retrying",
                metadata: [
                    "attempt": "\(attempt)", "error.code": "\(cause.code)", "retry.delay_ms": "\(Int(delay.seconds * 1000))",
                ])
            try await Task.sleep(for: delay)
        }
    }

    /// `Retry-After` as a delay; a number of seconds too large to represent is taken as a very
    /// long wait (it must never fall back to a quick retry).
    static func retryAfter(of response: HTTPResponse) -> Duration? {
        if let delay = response.retryAfter() { return delay }
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
            value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return .seconds(Int64.max)
    }

    /// The typed error for a non-2xx status.
    static func error(for status: Int, detail: String, platform: Platform, operation: String) -> DeployerError {
        let code: DeployerError.Code
        var retryable = false
        switch status {
        case 401, 403: code = .unauthorized
        case 404, 410: code = .notFound
        case 409: code = .conflict
        case 429:
            code = .rateLimited
            retryable = true
        case 400, 422: code = .invalidRequest
        case 500...599:
            code = .serverError
            retryable = true
        default: code = .platformError
        }
        return DeployerError(code, detail, isRetryable: retryable, platform: platform, operation: operation, httpStatus: status)
    }

    private static func jitter(upTo limit: Duration) -> Duration {
        guard limit > .zero else { return .zero }
        return .milliseconds(Int64.random(in: 0...Int64(limit.seconds * 1000)))
    }

    /// One sample per attempt: `platform_api_requests_total{platform,operation,status}` and
    /// `platform_api_request_duration_seconds{platform,operation}`.
    private func record(operation: String, status: String, duration: Duration) {
        counter.record()
        Counter(
            label: "platform_api_requests_total",
            dimensions: [("platform", platform.rawValue), ("operation", operation), ("status", status)]
        ).increment()
        Metrics.Timer(
            label: "platform_api_request_duration_seconds",
            dimensions: [("platform", platform.rawValue), ("operation", operation)],
            preferredDisplayUnit: .seconds
        ).recordNanoseconds(Int64(duration.seconds * 1e9))
    }
}
