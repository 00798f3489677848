import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Keeps one HTTP/1 connection from outliving its purpose. Sits after the HTTP decoder, one per
/// connection (`ConnectionLimits` holds the bounds).
///
/// Why it exists: Hummingbird answers a request whose body the route refused early (413, 401),
/// half-closes and waits for the peer to close. A peer that stops reading leaves its FIN queued
/// behind megabytes of unread body, so the socket sat in FIN-WAIT-2 forever, one descriptor per
/// request, until the process ran out of them. Here:
/// - an answer written before the request's end gets `Connection: close`, then the rest of the
///   body is read and thrown away for at most `lingerTimeout` (so the peer can read the answer
///   instead of getting a reset) and the connection is closed both ways;
/// - a request whose head and body take longer than `requestTimeout` is failed with
///   `RequestReadTimeout` (the route answers 408) however slowly the bytes trickle in;
/// - a parser error (bad `Content-Length`, bare CR or LF, oversize headers) gets the API's JSON
///   error shape instead of an empty 400, then the same lingering close.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ConnectionLimits
    private let logger: Logger
    /// A request head was read and its end not yet.
    private var requestOpen = false
    /// A response head was written and its end not yet.
    private var responseOpen = false
    /// The answer under way was sent with `Connection: close`: the connection ends after it.
    private var closeAfterResponse = false
    /// The answer is out; what still arrives is discarded until the close.
    private var draining = false
    private var closed = false
    private var readDeadline: Scheduled<Void>?
    private var lingerDeadline: Scheduled<Void>?

    init(limits: ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        cancelTimers()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if draining {
            if case .end = part { closeNow(context) }
            return
        }
        switch part {
        case .head:
            requestOpen = true
            startReadDeadline(context)
        case .end:
            requestOpen = false
            readDeadline?.cancel()
            readDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Downstream asks for no more while it answers; draining reads regardless.
        if draining { context.read() }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head):
            responseOpen = true
            if requestOpen {
                closeAfterResponse = true
                head.headerFields[.connection] = "close"
                context.write(wrapOutboundOut(.head(head)), promise: promise)
                return
            }
        case .body:
            break
        case .end:
            responseOpen = false
            if requestOpen || draining || closeAfterResponse {
                let written = promise ?? context.eventLoop.makePromise()
                context.write(data, promise: written)
                written.futureResult.assumeIsolated().whenComplete { _ in self.startDraining(context) }
                return
            }
        }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if draining || closed {
            // The decoder refuses what follows a parse error; nothing more is wanted anyway.
            if error is ByteToMessageDecoderError { return }
            return closeNow(context)
        }
        guard let parserError = error as? HTTPParserError else {
            return context.fireErrorCaught(error)
        }
        logger.debug("Unparseable HTTP request", metadata: ["http.error": "\(parserError)"])
        readDeadline?.cancel()
        readDeadline = nil
        if requestOpen || responseOpen {
            // A route has the request (a broken chunk in its body): it answers, mapping the error
            // (`RequestBody.collect`); the linger bound closes if it does not.
            context.fireErrorCaught(parserError)
            scheduleLingerClose(context)
            return
        }
        // Answered here, not by Hummingbird (whose answer has no body); the error is not passed
        // on, so the route never sees a half-parsed request.
        let answer = APIError.forParserError(parserError)
        let body = ByteBuffer(string: JSONBody.errorText(answer))
        let head = HTTPResponse(
            status: answer.status,
            headerFields: [
                .contentType: JSONBody.contentType, .contentLength: "\(body.readableBytes)", .connection: "close",
                .cacheControl: "no-store",
            ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            // The client is most likely still sending (an oversize head): linger so it can read
            // the answer instead of getting a reset.
            self.startDraining(context, lingering: true)
            context.close(mode: .output, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if draining, let event = event as? ChannelEvent, event == .inputClosed {
            return closeNow(context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The answer is written: read and discard until the peer's end, or the linger bound.
    private func startDraining(_ context: ChannelHandlerContext, lingering: Bool = false) {
        guard !draining, !closed else { return }
        draining = true
        cancelTimers()
        if !lingering, !requestOpen, !responseOpen {
            // Nothing more is expected: the request ended while the answer was being written.
            return closeNow(context)
        }
        scheduleLingerClose(context)
        context.read()
    }

    private func scheduleLingerClose(_ context: ChannelHandlerContext) {
        lingerDeadline?.cancel()
        lingerDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: limits.lingerTimeout.timeAmount) {
            self.closeNow(context)
        }
    }

    private func startReadDeadline(_ context: ChannelHandlerContext) {
        readDeadline?.cancel()
        readDeadline = context.eventLoop.assumeIsolated().scheduleTask(in: limits.requestTimeout.timeAmount) {
            self.readDeadline = nil
            guard self.requestOpen, !self.draining, !self.closed else { return }
            self.logger.debug("Request not read within the request timeout; failing it")
            // The route reading the body answers 408; if none is reading, the linger bound closes.
            context.fireErrorCaught(RequestReadTimeout(limit: self.limits.requestTimeout))
            self.scheduleLingerClose(context)
        }
    }

    private func closeNow(_ context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        cancelTimers()
        context.close(mode: .all, promise: nil)
    }

    private func cancelTimers() {
        readDeadline?.cancel()
        readDeadline = nil
        lingerDeadline?.cancel()
        lingerDeadline = nil
    }
}

/// A request whose head and body did not arrive within `ConnectionLimits.requestTimeout`.
struct RequestReadTimeout: Error {
    let limit: Duration
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

extension APIError {
    /// The answer to a request the HTTP parser refused; the message says which rule was broken.
    static func forParserError(_ error: HTTPParserError) -> APIError {
        switch error {
        case .headerOverflow:
            APIError(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "headers_too_large",
                "the request headers are too large")
        case .invalidContentLength, .unexpectedContentLength:
            .invalidRequest("the request has an invalid Content-Length")
        case .lfExpected, .invalidHeaderToken, .invalidConstant, .invalidCharactersUsed, .strictModeAssertion:
            .invalidRequest("the request is not valid HTTP/1.1 (line endings or header syntax)")
        case .invalidMethod:
            .invalidRequest("the request method is not valid")
        case .invalidURL, .invalidPath, .invalidQueryString, .invalidFragment, .invalidHost, .invalidPort:
            .invalidRequest("the request target is not valid")
        case .invalidChunkSize:
            .invalidRequest("the request's chunk framing is not valid")
        case .invalidVersion:
            APIError(
                .init(code: 505, reasonPhrase: "HTTP Version Not Supported"), "http_version_not_supported",
                "only HTTP/1.0 and HTTP/1.1 are served")
        default:
            .invalidRequest("the request is not valid HTTP/1.1")
        }
    }

    static func requestTimeout(_ limit: Duration) -> APIError {
        APIError(.requestTimeout, "request_timeout", "the request was not received within \(limit.secondsText)")
    }

    static let incompleteBody = APIError(.badRequest, "incomplete_body", "the request body ended before its declared length")
}

extension Duration {
    /// NIO's spelling of the same amount, saturating instead of trapping.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        let (nanoseconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .nanoseconds(.max) : .nanoseconds(nanoseconds.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue)
    }

    /// `30 s`, `1.5 s`, `250 ms` for messages.
    var secondsText: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }
}
