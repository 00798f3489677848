import ClipnetJSON
import ClipnetLogging
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Reconciler
import ReconcilerHTTP
import ReconcilerTestSupport

/// Runs the operator server in process (Hummingbird's router test framework, no socket) over a
/// fake daemon, with a canary token and webhook secret that tests check never leak.
enum Harness {
    static let token = "operator-canary-token-7f3a9c1e5b20"
    static let secret = "webhook-canary-secret-2d8e6b4a91"

    static var configuration: OperatorServerConfiguration {
        OperatorServerConfiguration(operatorToken: token, webhookSecret: secret, maximumBodySize: 4096)
    }

    static let quiet: Logger = {
        var logger = Logger(label: "operator-server.test")
        logger.logLevel = .critical
        return logger
    }()

    static func test(
        control: FakeReconcilerControl = FakeReconcilerControl(),
        configuration: OperatorServerConfiguration = Harness.configuration,
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        logger: Logger = Harness.quiet,
        _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let app = OperatorServer.makeApplication(control: control, configuration: configuration, registry: registry, logger: logger)
        try await app.test(.router, body)
    }

    static var authorized: HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: "application/json"]
    }

    static func body(_ json: String) -> ByteBuffer {
        ByteBuffer(string: json)
    }

    /// A logger whose lines the test can read (JSON, as the daemon writes them).
    static func capturing() -> (Logger, LogCapture) {
        let capture = LogCapture()
        let logger = Logger(label: "operator-server.test") { label in
            ClipnetLogHandler(label: label, format: .json, level: .debug, sink: capture.sink)
        }
        return (logger, capture)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: JSONValue? { JSONValue.parse(Array(body.readableBytesView)) }
    /// `error.code` of an error answer.
    var errorCode: String? { json?["error"]?["code"]?.stringValue }
    var errorMessage: String? { json?["error"]?["message"]?.stringValue }
    var contentType: String? { headers[.contentType] }
}
