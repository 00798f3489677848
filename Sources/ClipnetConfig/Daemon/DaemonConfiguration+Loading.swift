import Foundation

extension DaemonConfiguration {
    /// Reads and validates a configuration file.
    /// - Throws: `ConfigError` `.invalidManifest` with one `file:line:column` diagnostic per problem.
    public static func load(path: String) throws -> DaemonConfiguration {
        guard let text = try ManifestLoader.readFile(path) else {
            throw ConfigError(.invalidManifest, "no daemon configuration at \(path)")
        }
        return try parse(text, file: path)
    }

    /// Validates `text` (named `file` in messages) and builds the configuration.
    public static func parse(_ text: String, file: String) throws -> DaemonConfiguration {
        let parsed = ConfigNode.parse(text, file: file)
        var validator = ShapeValidator()
        if let node = parsed.node {
            validator.checkStructure(node, DaemonConfigurationShape.root, path: "")
            validator.checkCompleteness(node, DaemonConfigurationShape.root, path: "")
        }
        let rules = parsed.node.map { productionDiagnostics($0) + fingerprintsDiagnostics($0) } ?? []
        let diagnostics = (parsed.diagnostics + validator.diagnostics + rules).sortedByLocation()
        guard diagnostics.isEmpty, let root = parsed.node else {
            let count = max(diagnostics.count, 1)
            throw ConfigError(
                .invalidManifest, "the daemon configuration \(file) is invalid (\(count) problem\(count == 1 ? "" : "s"))",
                diagnostics: diagnostics)
        }
        return DaemonConfiguration(node: root)
    }

    /// Builds from a validated tree: every key is optional except the two the shape requires.
    init(node root: ConfigNode) {
        var configuration = DaemonConfiguration.defaults
        configuration.environment = root["environment"]?.string ?? configuration.environment
        if configuration.isProduction { configuration.repository.branch = Self.productionBranch }
        if let repository = root["repository"] {
            configuration.repository.url = repository["url"]?.string ?? configuration.repository.url
            configuration.repository.branch = repository["branch"]?.string ?? configuration.repository.branch
            configuration.repository.manifestDirectory = repository["manifestDirectory"]?.string ?? configuration.repository.manifestDirectory
            configuration.repository.pollInterval = Self.duration(repository["pollInterval"]) ?? configuration.repository.pollInterval
            configuration.repository.tokenEnv = repository["tokenEnv"]?.string
            configuration.repository.sshKeyPath = repository["sshKey"]?.string
            configuration.repository.markTags = repository["markTags"]?.string
        }
        configuration.state = root["state"]?.string ?? configuration.state
        configuration.stateURLEnv = root["stateURLEnv"]?.string
        configuration.mirrorDirectory = root["mirrorDirectory"]?.string
        if let listen = root["listen"]?.string, let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port)
        {
            configuration.listenHost = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            configuration.listenPort = port
        }
        if let http = root["http"] {
            configuration.http.idleTimeout = Self.duration(http["idleTimeout"]) ?? configuration.http.idleTimeout
            configuration.http.requestTimeout = Self.duration(http["requestTimeout"]) ?? configuration.http.requestTimeout
            configuration.http.lingerTimeout = Self.duration(http["lingerTimeout"]) ?? configuration.http.lingerTimeout
            configuration.http.maxConnections = http["maxConnections"]?.int ?? configuration.http.maxConnections
            configuration.http.maxHeaderBytes = http["maxHeaderBytes"]?.int ?? configuration.http.maxHeaderBytes
        }
        configuration.secretsFile = root["secretsFile"]?.string
        configuration.counterpartFingerprintsFile = root[Self.fingerprintsKey(counterpartOf: configuration.environment)]?.string
        configuration.operatorTokenEnv = root["operatorTokenEnv"]?.string ?? configuration.operatorTokenEnv
        configuration.operatorTokensFile = root["operatorTokensFile"]?.string
        configuration.webhookSecretEnv = root["webhookSecretEnv"]?.string ?? configuration.webhookSecretEnv
        if let vercel = root["vercel"] {
            configuration.vercel.baseURL = vercel["apiURL"]?.string ?? configuration.vercel.baseURL
            configuration.vercel.tokenEnv = vercel["tokenEnv"]?.string ?? configuration.vercel.tokenEnv
            configuration.vercel.requestsPerHour = vercel["requestsPerHour"]?.int ?? configuration.vercel.requestsPerHour
            configuration.vercel.webhookSecretEnv = vercel["webhookSecretEnv"]?.string ?? configuration.vercel.webhookSecretEnv
        }
        if let railway = root["railway"] {
            configuration.railway.baseURL = railway["apiURL"]?.string ?? configuration.railway.baseURL
            configuration.railway.tokenEnv = railway["tokenEnv"]?.string ?? configuration.railway.tokenEnv
            configuration.railway.requestsPerHour = railway["requestsPerHour"]?.int ?? configuration.railway.requestsPerHour
            configuration.railway.webhookSecretEnv = railway["webhookTokenEnv"]?.string ?? configuration.railway.webhookSecretEnv
            configuration.railwayTokenKind = railway["tokenKind"]?.string.flatMap(RailwayTokenKind.init(rawValue:)) ?? configuration.railwayTokenKind
        }
        if let reconcile = root["reconcile"] {
            var settings = configuration.reconcile
            settings.driftInterval = Self.duration(reconcile["driftInterval"]) ?? settings.driftInterval
            settings.fullObserveInterval = Self.duration(reconcile["fullObserveInterval"]) ?? settings.fullObserveInterval
            settings.readinessInterval = Self.duration(reconcile["readinessInterval"]) ?? settings.readinessInterval
            settings.expiredRollback = reconcile["expiredRollback"]?.string.flatMap(ExpiredRollback.init(rawValue:)) ?? settings.expiredRollback
            settings.rolloutPollInterval = Self.duration(reconcile["rolloutPollInterval"]) ?? settings.rolloutPollInterval
            settings.verifyTimeout = Self.duration(reconcile["verifyTimeout"]) ?? settings.verifyTimeout
            settings.workerVersionSource =
                reconcile["workerVersionSource"]?.string.flatMap(WorkerVersionSource.init(rawValue:))
                ?? settings.workerVersionSource
            settings.healthFailureThreshold = reconcile["healthFailureThreshold"]?.int ?? settings.healthFailureThreshold
            settings.transientFailureLimit = reconcile["transientFailureLimit"]?.int ?? settings.transientFailureLimit
            settings.failureLogLines = reconcile["failureLogLines"]?.int ?? settings.failureLogLines
            settings.probeTimeout = Self.duration(reconcile["probeTimeout"]) ?? settings.probeTimeout
            settings.leaderCheckInterval = Self.duration(reconcile["leaderCheckInterval"]) ?? settings.leaderCheckInterval
            settings.platformAttempts = reconcile["platformAttempts"]?.int ?? settings.platformAttempts
            settings.platformRetryDelay = Self.duration(reconcile["platformRetryDelay"]) ?? settings.platformRetryDelay
            settings.platformTimeout = Self.duration(reconcile["platformTimeout"]) ?? settings.platformTimeout
            configuration.reconcile = settings
        }
        configuration.publicURL = root["publicURL"]?.string
        configuration.notifications = Self.notificationChannels(root["notifications"])
        if let promotion = root["promotion"] {
            configuration.promotion = Promotion(
                branch: promotion["branch"]?.string ?? "production", soak: Self.duration(promotion["soak"]) ?? .zero)
        }
        if let github = root["github"] {
            var settings = GitHub.defaults
            settings.apiURL = github["apiURL"]?.string ?? settings.apiURL
            settings.tokenEnv = github["tokenEnv"]?.string ?? settings.tokenEnv
            settings.repository = github["repository"]?.string
            settings.requiredChecks =
                github["requiredChecks"]?.string?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
            settings.checkInterval = Self.duration(github["checkInterval"]) ?? settings.checkInterval
            settings.deployments = github["deployments"]?.bool ?? settings.deployments
            settings.environmentURL = github["environmentURL"]?.string
            settings.requestTask = github["requestTask"]?.string
            configuration.github = settings
        }
        self = configuration
    }

    /// The channels in the order written (a validated map: each has exactly one destination).
    static func notificationChannels(_ node: ConfigNode?) -> [NotificationChannel] {
        guard let node else { return [] }
        return (node.entries ?? []).compactMap { entry in
            let name = entry.key
            let channel = entry.value
            if let slack = channel["slack"], let target = slack["channel"]?.string {
                return NotificationChannel(
                    name: name,
                    destination: .slack(
                        channel: target, tokenEnv: slack["tokenEnv"]?.string ?? NotificationChannel.defaultSlackTokenEnv,
                        apiURL: slack["apiURL"]?.string ?? NotificationChannel.defaultSlackAPIURL))
            }
            if let webhook = channel["webhook"], let url = webhook["url"]?.string {
                return NotificationChannel(
                    name: name,
                    destination: .webhook(url: url, secretEnv: webhook["secretEnv"]?.string ?? NotificationChannel.defaultWebhookSecretEnv))
            }
            return nil
        }
    }

    /// `50ms`, `30s`, `5m`, `1h`, `1.5s`.
    static func duration(_ node: ConfigNode?) -> Duration? {
        node?.string.flatMap(DurationText.parse)
    }
}
