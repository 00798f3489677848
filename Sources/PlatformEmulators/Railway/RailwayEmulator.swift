public import ClipnetJSON
public import Foundation
import Synchronization

/// An in-memory Railway public GraphQL API (docs/platforms.md) at `POST /graphql/v2`:
/// projects, environments, services, deployments with the `INITIALIZING -> BUILDING -> DEPLOYING
/// -> SUCCESS | FAILED | CRASHED` lifecycle (older ones becoming `REMOVED`), rollbacks that restore
/// variables, variables, and per-service auto-deploy. Requests are parsed and validated against
/// the schema slice in `RailwaySchema`; every error is HTTP 200 with an `errors` array.
public final class RailwayEmulator: EmulatedPlatform {
    public struct Timings: Sendable {
        public var initializing: Duration
        public var building: Duration
        public var deploying: Duration

        public init(initializing: Duration = .milliseconds(30), building: Duration = .milliseconds(80), deploying: Duration = .milliseconds(40)) {
            self.initializing = initializing
            self.building = building
            self.deploying = deploying
        }
    }

    public struct Configuration: Sendable {
        /// Account or workspace tokens, sent as `Authorization: Bearer <token>`: reach every project.
        public var accountTokens: Set<String>
        /// Project tokens, sent as `Project-Access-Token: <token>`: one environment of one project.
        public var projectTokens: [String: (projectId: String, environmentId: String)]
        public var timings: Timings
        /// How long a replaced deployment stays `canRollback` (Hobby: 72 h, docs/platforms.md).
        public var imageRetention: Duration
        /// The most nodes one page of `project.services` holds, whatever `first` asks for (the
        /// server's own limit; Railway's is UNCONFIRMED).
        public var connectionPageSize: Int

        public init(
            accountTokens: Set<String>, projectTokens: [String: (projectId: String, environmentId: String)] = [:], timings: Timings = Timings(),
            imageRetention: Duration = .seconds(72 * 3600), connectionPageSize: Int = 50
        ) {
            self.accountTokens = accountTokens
            self.projectTokens = projectTokens
            self.timings = timings
            self.imageRetention = imageRetention
            self.connectionPageSize = max(1, connectionPageSize)
        }
    }

    public let configuration: Configuration
    let state = Mutex(RailwayState())
    let webhooks = WebhookOutbox()
    public var errorRenderer: any PlatformErrorRenderer { RailwayErrorRenderer() }

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// Starts serving on 127.0.0.1 (port 0); the API is at `<baseURL>/graphql/v2`.
    public func start() async throws -> EmulatorServer {
        try await EmulatorServer.start(EmulatorHost(platform: self), name: "railway-emulator")
    }

    // MARK: Seeding

    /// Creates a project with its environments.
    public func addProject(id: String, name: String, environments: [(id: String, name: String)]) {
        state.withLock { $0.projects[id] = .init(id: id, name: name, environments: environments, services: [], createdAt: Date()) }
    }

    /// Adds a service to a project, with an instance in every environment: a git service when
    /// `repo` ("org/repo") is given, an image service when `image` is.
    public func addService(
        id: String, name: String, projectId: String, repo: String? = nil, branch: String = "main", image: String? = nil, autoDeploy: Bool = true
    ) {
        state.withLock { state in
            guard let project = state.projects[projectId] else { return }
            state.projects[projectId]!.services.append((id, name))
            for environment in project.environments {
                state.instances[.init(serviceId: id, environmentId: environment.id)] = .init(
                    projectId: projectId, repo: repo, branch: branch, image: image, autoDeploy: autoDeploy
                )
            }
        }
    }

    /// Makes `sha` a commit of `repo` ("org/repo") on `branch`.
    public func registerCommit(_ sha: String, branch: String = "main", repo: String) {
        state.withLock {
            $0.commits[repo, default: [:]][sha.lowercased()] = branch
            $0.branchHeads[repo, default: [:]][branch] = sha.lowercased()
        }
    }

    /// Sets service variables directly, as someone in the dashboard would (no deploy).
    public func setVariables(_ variables: [String: String], serviceId: String, environmentId: String) {
        state.withLock { $0.instances[.init(serviceId: serviceId, environmentId: environmentId)]?.variables.merge(variables) { _, new in new } }
    }

    // MARK: Faults and drift

    /// Builds of `revision` (a commit sha or an image reference) on `serviceId` (nil: any) end FAILED.
    public func failBuild(revision: String, serviceId: String? = nil) {
        state.withLock { _ = $0.failingBuilds.insert(.init(service: serviceId ?? "*", revision: revision.lowercased())) }
    }

    /// The build and runtime logs of `revision`'s deployments end with `lines` (what a failing
    /// build printed; a test's secret canary).
    public func setLogTail(revision: String, _ lines: [String]) {
        state.withLock { $0.logTails[revision.lowercased()] = lines }
    }

    /// Builds of `revision` stay BUILDING until cancelled.
    public func hangBuild(revision: String, serviceId: String? = nil) {
        state.withLock { _ = $0.hangingBuilds.insert(.init(service: serviceId ?? "*", revision: revision.lowercased())) }
    }

    /// Deployments of `revision` crash: `after` this long once SUCCESS, or while DEPLOYING when nil.
    public func crashAfterDeploy(revision: String, serviceId: String? = nil, after: Duration? = nil) {
        state.withLock { $0.crashingDeploys[.init(service: serviceId ?? "*", revision: revision.lowercased())] = .some(after) }
    }

    /// Drift: someone clicks Rollback on `deploymentId` in the dashboard.
    /// - Returns: false when that deployment cannot be rolled back to.
    @discardableResult
    public func rollbackByHand(to deploymentId: String) -> Bool {
        state.withLock { state in (try? self.rollback(&state, to: deploymentId, now: Date())) != nil }
    }

    /// The platform's own auto-deploy: a push of `sha` deploys a git service with the variables it
    /// has now (whatever a reconciler is about to sync). Returns the deployment id, or nil when the
    /// instance is not a git service or the commit is unknown.
    @discardableResult
    public func deployByPush(serviceId: String, environmentId: String, sha: String) -> String? {
        state.withLock { state in
            let key = RailwayState.InstanceKey(serviceId: serviceId, environmentId: environmentId)
            guard let instance = state.instances[key], let repo = instance.repo, let branch = state.commits[repo]?[sha.lowercased()] else {
                return nil
            }
            let meta: [String: JSONValue] = [
                "reason": "deploy", "commitHash": .string(sha.lowercased()), "branch": .string(branch), "commitMessage": "emulated commit",
                "repo": .string(repo),
            ]
            let deployment = newDeployment(
                key: key, instance: instance, meta: meta, revision: sha.lowercased(), build: true, state: state, now: Date())
            state.deployments.append(deployment)
            return deployment.id
        }
    }

    // MARK: Inspection for tests

    /// Every deployment as (id, serviceId, status, meta), oldest first.
    public func deployments() -> [(id: String, serviceId: String, status: String, meta: JSONValue)] {
        let now = Date()
        return state.withLock { state in state.deployments.map { ($0.id, $0.serviceId, state.status(of: $0, at: now), .object($0.meta)) } }
    }

    /// When deployment `id` reached (or reaches) SUCCESS, FAILED or CRASHED by its plan: the
    /// platform's side of "how long did the controller take to notice" (the benchmarks).
    public func finishedAt(_ id: String) -> Date? {
        state.withLock { state in
            guard let deployment = state.deployments.first(where: { $0.id == id }) else { return nil }
            return deployment.finished?.at
        }
    }

    /// The deployment an instance serves now: the newest one whose status is SUCCESS, as
    /// (id, commit sha or image). What the app simulator reports as the running version.
    public func servingDeployment(serviceId: String, environmentId: String) -> (id: String, revision: String)? {
        let now = Date()
        return state.withLock { state in
            state.deployments.last { $0.serviceId == serviceId && $0.environmentId == environmentId && state.status(of: $0, at: now) == "SUCCESS" }
                .map { deployment in
                    let revision = deployment.meta["commitHash"]?.stringValue ?? deployment.meta["image"]?.stringValue ?? ""
                    return (deployment.id, revision)
                }
        }
    }

    /// The service variables of an instance.
    public func variables(serviceId: String, environmentId: String) -> [String: String] {
        state.withLock { $0.instances[.init(serviceId: serviceId, environmentId: environmentId)]?.variables ?? [:] }
    }

    /// Whether auto-deploy is on for an instance.
    public func autoDeployEnabled(serviceId: String, environmentId: String) -> Bool? {
        state.withLock { $0.instances[.init(serviceId: serviceId, environmentId: environmentId)]?.autoDeploy }
    }

    /// The image an image service is configured with.
    public func image(serviceId: String, environmentId: String) -> String? {
        state.withLock { $0.instances[.init(serviceId: serviceId, environmentId: environmentId)]?.image }
    }

    // MARK: EmulatedPlatform

    public func operationName(for request: EmulatorRequest) -> String? {
        guard let query = request.json?["query"]?.stringValue, let document = try? GraphQLParser.parse(query) else { return nil }
        return document.selections.map(\.name).joined(separator: ",")
    }

    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        guard request.path == "/graphql/v2" else {
            return .json(["errors": [["message": "Not Found"]]], status: 404)
        }
        guard request.method == "POST" else {
            return .json(["errors": [["message": "GET query missing."]]], status: 400)
        }
        let caller: Caller
        if let projectToken = request.header("project-access-token") {
            guard let scope = configuration.projectTokens[projectToken] else { return RailwayError.response(["Project token not found"]) }
            caller = .project(projectId: scope.projectId, environmentId: scope.environmentId)
        } else if let authorization = request.header("authorization"), authorization.hasPrefix("Bearer "),
            configuration.accountTokens.contains(String(authorization.dropFirst(7)))
        {
            caller = .account
        } else {
            return RailwayError.response([RailwayError.notAuthorized])
        }
        guard let body = request.json?.objectValue, let query = body["query"]?.stringValue else {
            return .json(["errors": [["message": "Must provide query string."]]], status: 400)
        }
        for key in body.keys where !["query", "variables", "operationName", "extensions"].contains(key) {
            return .json(["errors": [["message": "Unexpected request body field \"\(key)\"."]]], status: 400)
        }
        let variables: [String: JSONValue]
        switch body["variables"] {
        case nil, .null?: variables = [:]
        case .object(let object)?: variables = object
        default:
            return .json(["errors": [["message": "Variables must be provided as an Object where each property is a variable value."]]], status: 400)
        }
        let document: GraphQLDocument
        do {
            document = try GraphQLParser.parse(query)
        } catch {
            return RailwayError.response([error.message])
        }
        let calls: [GraphQLValidation.RootCall]
        switch GraphQLValidation.validate(document, variables: variables) {
        case .success(let validated): calls = validated
        case .failure(let errors): return RailwayError.response(errors.messages)
        }
        var data: [String: JSONValue] = [:]
        for call in calls {
            var arguments = call.arguments
            // The one nested connection that pages: `project { services(first, after) }`.
            if call.field.name == "project", let services = call.field.selections?.first(where: { $0.name == "services" }) {
                var page: [String: JSONValue] = [:]
                for argument in services.arguments { page[argument.name] = argument.value.resolve(variables) ?? .null }
                arguments[Self.servicesPageArgument] = .object(page)
            }
            let result = state.withLock { state in
                resolve(call.field.name, arguments: arguments, caller: caller, state: &state, now: Date())
            }
            switch result {
            case .success(let value):
                data[call.field.responseKey] = GraphQLValidation.project(value, type: call.returnType, selections: call.field.selections)
            case .failure(let error):
                return RailwayError.response(error.messages, path: call.field.responseKey)
            }
        }
        if document.operation == .mutation { scheduleWebhooks() }
        return .json(["data": .object(data)])
    }

    /// Where `handle` passes the arguments of `project.services` to the resolver.
    static let servicesPageArgument = "__servicesPage"

    /// Who is calling: an account/workspace token, or a project token scoped to one environment.
    enum Caller: Sendable {
        case account
        case project(projectId: String, environmentId: String)

        func mayAccess(projectId: String?, environmentId: String?) -> Bool {
            switch self {
            case .account: return true
            case .project(let project, let environment):
                return (projectId.map { $0 == project } ?? true) && (environmentId.map { $0 == environment } ?? true)
            }
        }
    }
}
