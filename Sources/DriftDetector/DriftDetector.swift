/// Pure comparison of what should run against what runs: (desired, observed) -> [Drift].
/// Filled by the reconciler issue; it performs no I/O, so it is unit-tested in isolation.
public enum DriftDetector {}
