import Hummingbird
public import Logging
import ServiceLifecycle

/// Serves an `EmulatorHost` over HTTP/1.1 on 127.0.0.1 with a port chosen by the system (port 0),
/// and reports the bound port, so tests and the demo never collide on fixed ports.
///
/// Why a handle rather than only a scoped `with...` function: `reconciler-demo` keeps emulators
/// up for the life of the process. The server runs in a task owned by this handle; `stop()`
/// cancels it and waits until the socket is closed.
public final class EmulatorServer: Sendable {
    /// The bound TCP port on 127.0.0.1.
    public let port: Int
    public let host: EmulatorHost
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// `http://127.0.0.1:<port>`, the base URL to give a client.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, host: EmulatorHost, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.group = group
        self.task = task
    }

    /// Starts serving `host` and returns once the socket is listening.
    /// - Parameters:
    ///   - name: the server name in logs (e.g. `vercel-emulator`).
    ///   - logger: Hummingbird's logger; defaults to one at `warning` level so tests stay quiet.
    public static func start(_ host: EmulatorHost, name: String, logger: Logger? = nil) async throws -> EmulatorServer {
        var quiet = Logger(label: name)
        quiet.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await Self.respond(to: request, host: host)
        }
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: name),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger ?? quiet
        )
        // A service group without signal handlers, so `stop()` can shut the server down gracefully
        // (cancelling it instead makes Hummingbird log errors for its open connections).
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger ?? quiet)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            _ = await task.result
            throw EmulatorStartError(message: "\(name) stopped before listening on 127.0.0.1")
        }
        return EmulatorServer(port: port, host: host, group: group, task: task)
    }

    /// Stops serving (gracefully: requests in flight are answered) and waits until the socket is closed.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }

    private static func respond(to request: Request, host: EmulatorHost) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let emulatorRequest = EmulatorRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: EmulatorRequest.parseQuery(request.uri.query),
            headers: headers,
            body: Array(buffer.readableBytesView)
        )
        let answer = await host.respond(to: emulatorRequest)
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let fieldName = HTTPFields.Element.Name(name) { fields[fieldName] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status),
            headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        )
    }
}

/// The emulator's server could not start.
public struct EmulatorStartError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
