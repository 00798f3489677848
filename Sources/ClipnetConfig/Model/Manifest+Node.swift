import ClipnetContracts

/// Builds the typed manifest from a layered tree that passed validation, so every access here
/// is to a key the shape requires or to an optional one; nil means the tree was not validated.
extension Manifest {
    init?(node root: ConfigNode) {
        guard let version = root["version"]?.int,
            let environment = root["environment"]?.string,
            let frontend = root["frontend"].flatMap(FrontendSpec.init(node:)),
            let railway = root["railway"].flatMap(RailwaySpec.init(node:)),
            let cloudinary = root["cloudinary"].flatMap(CloudinarySpec.init(node:)),
            let runpod = root["runpod"].flatMap(RunPodSpec.init(node:)),
            let drift = root["drift"].flatMap(DriftPolicies.init(node:)),
            let rollout = root["rollout"].flatMap(RolloutSettings.init(node:))
        else { return nil }
        var oauth: [String: OAuthClientSpec] = [:]
        for entry in root["oauth"]?.entries ?? [] {
            guard let client = OAuthClientSpec(node: entry.value) else { return nil }
            oauth[entry.key] = client
        }
        self.init(
            version: version, environment: environment, frontend: frontend, railway: railway,
            cloudinary: cloudinary, runpod: runpod, oauth: oauth, drift: drift, rollout: rollout)
    }
}

extension ConfigValue {
    init?(node: ConfigNode) {
        if let reference = SecretReference(node: node) {
            self = .secret(reference)
        } else if let text = node.scalarText, node.scalarType != .null {
            self = .plain(text)
        } else {
            return nil
        }
    }

    static func variables(_ node: ConfigNode?) -> [String: ConfigValue]? {
        var variables: [String: ConfigValue] = [:]
        for entry in node?.entries ?? [] {
            guard let value = ConfigValue(node: entry.value) else { return nil }
            variables[entry.key] = value
        }
        return variables
    }
}

extension SecretReference {
    init?(node: ConfigNode) {
        guard let name = node["secret"]?.string else { return nil }
        self.init(name: name)
    }
}

extension FrontendSpec {
    init?(node: ConfigNode) {
        guard let projectId = node["projectId"]?.string,
            let projectName = node["projectName"]?.string,
            let domain = node["domain"]?.string,
            let repository = node["repository"]?.string,
            let variables = ConfigValue.variables(node["variables"])
        else { return nil }
        self.init(
            teamId: node["teamId"]?.string, projectId: projectId, projectName: projectName, domain: domain,
            target: node["target"]?.string, repository: repository,
            rootDirectory: node["rootDirectory"]?.string, variables: variables)
    }
}

extension RailwaySpec {
    init?(node: ConfigNode) {
        guard let projectId = node["projectId"]?.string,
            let environmentId = node["environmentId"]?.string,
            let services = node["services"],
            let api = services["api"].flatMap(APIServiceSpec.init(node:)),
            let worker = services["worker"].flatMap(WorkerServiceSpec.init(node:)),
            let redis = node["redis"].flatMap(RailwayDatabase.init(node:)),
            let postgres = node["postgres"].flatMap(RailwayDatabase.init(node:))
        else { return nil }
        self.init(
            projectId: projectId, environmentId: environmentId,
            services: RailwayServices(api: api, worker: worker), redis: redis, postgres: postgres)
    }
}

extension ServiceSource {
    init?(node: ConfigNode) {
        if let repo = node["repo"]?.string {
            self = .repo(repo, rootDirectory: node["rootDirectory"]?.string)
        } else if let image = node["image"]?.string {
            self = .image(image)
        } else {
            return nil
        }
    }
}

extension APIServiceSpec {
    init?(node: ConfigNode) {
        guard let serviceId = node["serviceId"]?.string,
            let source = node["source"].flatMap(ServiceSource.init(node:)),
            let url = node["url"]?.string,
            let healthUrl = node["healthUrl"]?.string,
            let versionUrl = node["versionUrl"]?.string,
            let variables = ConfigValue.variables(node["variables"])
        else { return nil }
        self.init(
            serviceId: serviceId, source: source, url: url, healthUrl: healthUrl, versionUrl: versionUrl,
            autoDeploy: node["autoDeploy"]?.bool ?? false, variables: variables)
    }
}

extension WorkerServiceSpec {
    init?(node: ConfigNode) {
        guard let serviceId = node["serviceId"]?.string,
            let source = node["source"].flatMap(ServiceSource.init(node:)),
            let variables = ConfigValue.variables(node["variables"])
        else { return nil }
        self.init(
            serviceId: serviceId, source: source, autoDeploy: node["autoDeploy"]?.bool ?? false,
            variables: variables)
    }
}

extension RailwayDatabase {
    init?(node: ConfigNode) {
        guard let serviceId = node["serviceId"]?.string,
            let url = node["url"].flatMap(SecretReference.init(node:))
        else { return nil }
        self.init(serviceId: serviceId, url: url)
    }
}

extension CloudinarySpec {
    init?(node: ConfigNode) {
        guard let cloudName = node["cloudName"]?.string, let folder = node["folder"]?.string else { return nil }
        self.init(cloudName: cloudName, folder: folder)
    }
}

extension RunPodSpec {
    init?(node: ConfigNode) {
        guard let endpointId = node["endpointId"]?.string,
            let namespace = node["namespace"]?.string,
            let modelEntries = node["models"]?.entries
        else { return nil }
        var models: [String: String] = [:]
        for entry in modelEntries {
            guard let path = entry.value.string else { return nil }
            models[entry.key] = path
        }
        self.init(endpointId: endpointId, namespace: namespace, models: models)
    }
}

extension OAuthClientSpec {
    init?(node: ConfigNode) {
        guard let clientId = node["clientId"].flatMap(ConfigValue.init(node:)),
            let clientSecret = node["clientSecret"].flatMap(SecretReference.init(node:))
        else { return nil }
        self.init(clientId: clientId, clientSecret: clientSecret)
    }
}

extension DriftPolicies {
    init?(node: ConfigNode) {
        var actions: [Kind: Action] = [:]
        for kind in Kind.allCases {
            guard let action = node[kind.rawValue]?.string.flatMap(Action.init(rawValue:)) else { return nil }
            actions[kind] = action
        }
        self.init(actions: actions)
    }
}

extension RolloutSettings {
    init?(node: ConfigNode) {
        guard let deploy = node["deployTimeoutSeconds"]?.int,
            let window = node["healthWindowSeconds"]?.int,
            let interval = node["healthIntervalSeconds"]?.int
        else { return nil }
        self.init(deployTimeoutSeconds: deploy, healthWindowSeconds: window, healthIntervalSeconds: interval)
    }
}
