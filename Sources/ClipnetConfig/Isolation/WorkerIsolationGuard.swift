/// What the worker runs against, as the worker's start-up guard needs it. Credentials are held
/// as `SecretValue`, so printing settings reveals nothing.
public struct WorkerSettings: Sendable, CustomStringConvertible {
    /// The variable names `fromEnvironment` reads; the shipped manifests set these on the worker.
    public enum Variable {
        public static let environment = "CLIPNET_ENVIRONMENT"
        public static let redisURL = "REDIS_URL"
        public static let postgresURL = "DATABASE_URL"
        public static let oauthClientId = "CLIPBOT_CLIENT_ID"
        public static let oauthClientSecret = "CLIPBOT_CLIENT_SECRET"
        public static let cloudinaryFolder = "CLOUDINARY_FOLDER"
        public static let runpodNamespace = "RUNPOD_NAMESPACE"
        /// Prefix of one variable per model: `RUNPOD_MODEL_WHISPER=/runpod-volume/...`.
        public static let runpodModelPrefix = "RUNPOD_MODEL_"
    }

    public var environment: String
    public var redisURL: SecretValue
    public var postgresURL: SecretValue?
    public var oauthClientId: SecretValue?
    public var oauthClientSecret: SecretValue?
    public var cloudinaryFolder: String
    public var runpodNamespace: String
    /// Model paths by model name.
    public var runpodModelPaths: [String: String]

    public init(
        environment: String,
        redisURL: String,
        postgresURL: String? = nil,
        oauthClientId: String? = nil,
        oauthClientSecret: String? = nil,
        cloudinaryFolder: String,
        runpodNamespace: String,
        runpodModelPaths: [String: String] = [:]
    ) {
        self.environment = environment
        self.redisURL = SecretValue(name: Variable.redisURL, value: redisURL)
        self.postgresURL = postgresURL.map { SecretValue(name: Variable.postgresURL, value: $0) }
        self.oauthClientId = oauthClientId.map { SecretValue(name: Variable.oauthClientId, value: $0) }
        self.oauthClientSecret = oauthClientSecret.map { SecretValue(name: Variable.oauthClientSecret, value: $0) }
        self.cloudinaryFolder = cloudinaryFolder
        self.runpodNamespace = runpodNamespace
        self.runpodModelPaths = runpodModelPaths
    }

    /// Reads the settings from the worker's environment (the names in `Variable`).
    /// - Throws: `ConfigError` `.isolationViolation` naming every required variable that is unset.
    public static func fromEnvironment(_ environment: [String: String]) throws -> WorkerSettings {
        let required = [Variable.environment, Variable.redisURL, Variable.cloudinaryFolder, Variable.runpodNamespace]
        let missing = required.filter { (environment[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw ConfigError(
                .isolationViolation,
                "refusing to start: \(missing.joined(separator: ", ")) not set; the isolation guard needs them")
        }
        var models: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix(Variable.runpodModelPrefix) && !value.isEmpty {
            models[String(name.dropFirst(Variable.runpodModelPrefix.count)).lowercased()] = value
        }
        func optional(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        return WorkerSettings(
            environment: environment[Variable.environment]!,
            redisURL: environment[Variable.redisURL]!,
            postgresURL: optional(Variable.postgresURL),
            oauthClientId: optional(Variable.oauthClientId),
            oauthClientSecret: optional(Variable.oauthClientSecret),
            cloudinaryFolder: environment[Variable.cloudinaryFolder]!,
            runpodNamespace: environment[Variable.runpodNamespace]!,
            runpodModelPaths: models
        )
    }

    public var description: String {
        "WorkerSettings(environment: \(environment), folder: \(cloudinaryFolder), namespace: \(runpodNamespace))"
    }
}

/// The worker's start-up check: a non-production worker refuses to start when any of its settings
/// names a production resource (known to it only by fingerprint) or when its Cloudinary folder
/// is not its own environment's. It fails closed: without production's fingerprints, a staging
/// worker does not start.
public struct WorkerIsolationGuard: Sendable {
    public let productionFingerprints: IsolationFingerprints?
    /// Names in the worker's URLs are resolved where the worker runs; a name naming production
    /// through any of its addresses is refused (`HostResolver`).
    public let resolver: HostResolver

    public init(productionFingerprints: IsolationFingerprints?, resolver: HostResolver = .system) {
        self.productionFingerprints = productionFingerprints
        self.resolver = resolver
    }

    /// The guard with production's fingerprints from `CLIPNET_PRODUCTION_FINGERPRINTS` or
    /// `CLIPNET_PRODUCTION_FINGERPRINTS_FILE`.
    public static func fromEnvironment(_ environment: [String: String]) throws -> WorkerIsolationGuard {
        WorkerIsolationGuard(productionFingerprints: try IsolationFingerprints.fromEnvironment(environment))
    }

    /// Every reason the worker must not start; empty when it may.
    public func problems(_ settings: WorkerSettings) -> [String] {
        var problems: [String] = []
        let expectedFolder = EnvironmentConventions.cloudinaryFolder(for: settings.environment)
        if settings.cloudinaryFolder != expectedFolder {
            problems.append(
                "\(WorkerSettings.Variable.cloudinaryFolder) '\(settings.cloudinaryFolder)' is not the "
                    + "\(settings.environment) folder; expected '\(expectedFolder)'"
            )
        }
        guard settings.environment != EnvironmentConventions.production else { return problems }
        guard let fingerprints = productionFingerprints else {
            problems.append(
                "production fingerprints are missing; expected \(IsolationFingerprints.environmentVariable) or "
                    + "\(IsolationFingerprints.fileEnvironmentVariable) "
                    + "(a \(settings.environment) worker does not start without them)"
            )
            return problems
        }
        guard fingerprints.environment == EnvironmentConventions.production else {
            problems.append("the fingerprints describe '\(fingerprints.environment)'; expected production's")
            return problems
        }
        let policy = IsolationPolicy(environment: settings.environment, denied: fingerprints, resolver: resolver)
        var checks: [(String, String?)] = [
            (WorkerSettings.Variable.redisURL, settings.redisURL.reveal()),
            (WorkerSettings.Variable.postgresURL, settings.postgresURL?.reveal()),
            (WorkerSettings.Variable.oauthClientId, settings.oauthClientId?.reveal()),
            (WorkerSettings.Variable.oauthClientSecret, settings.oauthClientSecret?.reveal()),
            (WorkerSettings.Variable.cloudinaryFolder, settings.cloudinaryFolder),
            (WorkerSettings.Variable.runpodNamespace, settings.runpodNamespace),
        ]
        for (name, path) in settings.runpodModelPaths.sorted(by: { $0.key < $1.key }) {
            checks.append((WorkerSettings.Variable.runpodModelPrefix + name.uppercased(), path))
        }
        for (name, value) in checks {
            guard let value,
                let violation = policy.violation(for: value, subject: "worker setting \(name)", secret: nil, location: nil)
            else { continue }
            problems.append(violation.message)
        }
        return problems
    }

    /// Throws unless the worker may start.
    /// - Throws: `ConfigError` `.isolationViolation` listing every problem; no value is printed
    ///   except the Cloudinary folder, which is not a secret.
    public func check(_ settings: WorkerSettings) throws {
        let problems = problems(settings)
        guard problems.isEmpty else {
            throw ConfigError(
                .isolationViolation,
                "refusing to start the \(settings.environment) worker: " + problems.joined(separator: "; "))
        }
    }
}
