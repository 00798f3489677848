import Hummingbird
import Prometheus
import Reconciler

extension OperatorAPI {
    static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The registry (everything recorded through swift-metrics) followed by the gauges derived
    /// from the current status document.
    func metrics() -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 << 10)
        registry.emit(into: &bytes)
        let snapshot = control.status()
        let derived = statusMetricsCache.value(for: snapshot.version) { StatusMetrics.render(snapshot.document) }
        bytes.append(contentsOf: derived.utf8)
        return Response(
            status: .ok,
            headers: [.contentType: Self.prometheusContentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
