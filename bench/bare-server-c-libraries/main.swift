// A reference point of bench/operator-bench.sh's memory comparison, not a target: the bare server
// of bench/bare-metrics-server (Hummingbird, one /metrics route) that also links and initialises
// the three C libraries every reconciler daemon links (libgit2, libcurl, libpq, through their
// wrapper modules), built the same way. The difference to the bare server is what those libraries
// and their dependencies cost in resident memory before the daemon runs any code of its own.
// Usage: BareServerWithCLibraries [port]; prints `listening on 127.0.0.1:<port>` once bound.
import Foundation
import GitWatch
import HTTPTransport
import Hummingbird
import Logging
import Metrics
import PostgresClient
import Prometheus

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 0
let git = try GitRuntime()
let curl = try CurlRuntime()
_ = PostgresConnectionString.redacted("postgresql://reconciler@127.0.0.1/state")
let registry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
Counter(label: "bare_started_total").increment()

let router = Router()
router.get("metrics") { _, _ -> Response in
    var bytes: [UInt8] = []
    registry.emit(into: &bytes)
    return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}
var logger = Logger(label: "bare-server-c-libraries")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port)),
    onServerRunning: { channel in
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(channel.localAddress?.port ?? 0)\n".utf8))
    },
    logger: logger)
try await app.runService()
withExtendedLifetime((git, curl)) {}
