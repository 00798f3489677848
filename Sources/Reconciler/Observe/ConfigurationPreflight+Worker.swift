import ClipnetConfig

extension ConfigurationPreflight.Result {
    /// The environment's Redis, where the worker heartbeats are read (a secret: never logged).
    var workerRedisURL: String? {
        resolved.resolve(.secret(resolved.manifest.railway.redis.url))?.reveal()
    }
}
