// The baseline of bench/operator-bench.sh's memory comparison: a bare Hummingbird server with one
// `/metrics` route rendering a swift-metrics + Prometheus registry, built the same way (release,
// same package, same toolchain). Usage: BareMetricsServer [port]; prints `listening on
// 127.0.0.1:<port>` once bound, and serves until SIGTERM or SIGINT.
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 0
let registry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
Counter(label: "bare_started_total").increment()

let router = Router()
router.get("metrics") { _, _ -> Response in
    var bytes: [UInt8] = []
    registry.emit(into: &bytes)
    return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}
var logger = Logger(label: "bare-metrics-server")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(channel.localAddress?.port ?? 0)\n".utf8))
    },
    logger: logger)
try await app.runService()
