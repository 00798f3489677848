/// The platform deployment that served one service, per service of the environment: in the
/// store's records, in `/status` and in the pin and rollback answers.
///
/// Why ids and not revisions: rollback re-points each platform at a recorded deployment (the
/// Vercel alias, a Railway rollback), which needs the platform's own id, not a rebuild.
public struct ServiceDeployments: Codable, Sendable, Equatable, Hashable {
    public var frontend: String?
    public var api: String?
    public var worker: String?

    public init(frontend: String? = nil, api: String? = nil, worker: String? = nil) {
        self.frontend = frontend
        self.api = api
        self.worker = worker
    }

    /// The deployment id recorded for `service`.
    public subscript(service: ServiceName) -> String? {
        get {
            switch service {
            case .frontend: frontend
            case .api: api
            case .worker: worker
            }
        }
        set {
            switch service {
            case .frontend: frontend = newValue
            case .api: api = newValue
            case .worker: worker = newValue
            }
        }
    }

    /// `frontend dpl_1, api 4f2c…, worker 9a1b…`: for history details and logs.
    public var summary: String {
        ServiceName.allCases.compactMap { service in self[service].map { "\(service) \($0)" } }.joined(separator: ", ")
    }
}
