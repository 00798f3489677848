public import ClipnetConfig
import ClipnetContracts

/// Everything a worker process needs besides its handlers.
public struct WorkerOptions: Sendable {
    /// Environment, Redis and the other isolated identifiers (checked by the start-up guard).
    public var settings: WorkerSettings
    public var workerID: String
    /// The version tag published in the heartbeat.
    public var version: String
    public var processor: ProcessorConfiguration
    /// Port of the `/metrics` listener; nil for none.
    public var metricsPort: Int?
    /// Address the `/metrics` listener binds: loopback unless configured otherwise (a scraper on
    /// another host, such as Railway's, needs `0.0.0.0` or `::`).
    public var metricsHost: String
    public var heartbeatInterval: Duration
    public var heartbeatTTL: Duration
    public var reapInterval: Duration

    public init(
        settings: WorkerSettings, workerID: String = WorkerIdentity.make(), version: String = "unknown",
        processor: ProcessorConfiguration = ProcessorConfiguration(), metricsPort: Int? = nil, metricsHost: String = "127.0.0.1",
        heartbeatInterval: Duration = .seconds(2), heartbeatTTL: Duration = .seconds(10), reapInterval: Duration = .seconds(3)
    ) {
        self.settings = settings
        self.workerID = workerID
        self.version = version
        self.processor = processor
        self.metricsPort = metricsPort
        self.metricsHost = metricsHost
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTTL = heartbeatTTL
        self.reapInterval = reapInterval
    }

    public var keys: QueueKeys { QueueKeys(environment: settings.environment) }
}
