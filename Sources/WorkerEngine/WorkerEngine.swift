/// The Redis job queue, the worker runtime and the CLIPNET job handlers. Filled by the worker issue.
public enum WorkerEngine {}
