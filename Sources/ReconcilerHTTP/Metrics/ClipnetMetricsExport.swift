/// `ClipnetMetrics` (the metrics bootstrap both binaries share) lives in its own module so the
/// worker does not depend on this one; re-exported so `import ReconcilerHTTP` still offers it.
@_exported import ClipnetMetrics
