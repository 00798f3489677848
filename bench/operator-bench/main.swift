// The operator HTTP server over the in-memory control serving a realistic staging status: what
// bench/operator-bench.sh loads with wrk and measures idle. Usage: OperatorBench [port] (0: any);
// prints `listening on 127.0.0.1:<port>` once bound, and serves until SIGTERM or SIGINT.
import Foundation
import Logging
import ReconcilerHTTP
import ReconcilerTestSupport
import ServiceLifecycle
import UnixSignals

let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 0
var logger = Logger(label: "operator-bench")
logger.logLevel = .warning
let registry = ClipnetMetrics.bootstrap()
let control = FakeReconcilerControl(SampleEnvironment.model(anchor: Date(), now: { Date() }))
let server = OperatorServer.makeApplication(
    control: control,
    configuration: OperatorServerConfiguration(port: port, operatorToken: "bench-operator-token-0123456789"),
    registry: registry, logger: logger,
    onListening: { port in
        FileHandle.standardOutput.write(Data("listening on 127.0.0.1:\(port)\n".utf8))
    })
let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
try await group.run()
