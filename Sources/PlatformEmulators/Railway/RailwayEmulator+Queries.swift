import ClipnetJSON
import Foundation

/// The query resolvers: `project`, `deployment`, `deployments`, `variables`, `serviceInstance`,
/// `serviceInstanceAutoDeployStatus`, `projectToken` (docs/platforms.md).
extension RailwayEmulator {
    typealias Resolved = Result<JSONValue, GraphQLErrors>

    func resolve(_ name: String, arguments a: [String: JSONValue], caller: Caller, state: inout RailwayState, now: Date) -> Resolved {
        let string = { (key: String) in a[key]?.stringValue }
        switch name {
        case "project": return project(string("id")!, page: a[Self.servicesPageArgument]?.objectValue ?? [:], caller: caller, state: state)
        case "deployment":
            guard let deployment = state.deployments.first(where: { $0.id == string("id") }),
                caller.mayAccess(projectId: deployment.projectId, environmentId: deployment.environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            return .success(deploymentJSON(deployment, state: state, now: now))
        case "deployments": return deployments(a, caller: caller, state: state, now: now)
        case "environment":
            let id = string("id")!
            guard let project = state.projects.values.first(where: { $0.environments.contains { $0.id == id } }),
                caller.mayAccess(projectId: project.id, environmentId: id), string("projectId").map({ $0 == project.id }) ?? true,
                let environment = project.environments.first(where: { $0.id == id })
            else { return .failure(GraphQLErrors(messages: ["Environment not found"])) }
            return .success([
                "id": .string(id), "name": .string(environment.name), "projectId": .string(project.id), "isEphemeral": false,
                "createdAt": .string(ISO8601DateFormatter().string(from: project.createdAt)),
                "configEtag": .string(state.configEtag(environmentId: id, projectId: project.id)),
            ])
        case "deploymentSnapshot":
            guard let deployment = state.deployments.first(where: { $0.id == string("deploymentId") }),
                caller.mayAccess(projectId: deployment.projectId, environmentId: deployment.environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            return .success(["id": .string("snap-" + deployment.id.prefix(8)), "variables": .object(deployment.variables.mapValues { .string($0) })])
        case "deploymentEvents":
            guard let deployment = state.deployments.first(where: { $0.id == string("id") }),
                caller.mayAccess(projectId: deployment.projectId, environmentId: deployment.environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            let edges = Self.deploymentEvents(deployment, now: now).map { JSONValue.object(["cursor": .string("c"), "node": $0]) }
            return .success(["edges": .array(edges), "pageInfo": ["hasNextPage": false, "hasPreviousPage": false]])
        case "buildLogs", "deploymentLogs":
            guard let deployment = state.deployments.first(where: { $0.id == string("deploymentId") }),
                caller.mayAccess(projectId: deployment.projectId, environmentId: deployment.environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            let revision = (deployment.meta["commitHash"] ?? deployment.meta["image"])?.stringValue?.lowercased() ?? ""
            let status = state.status(of: deployment, at: now)
            var lines =
                name == "buildLogs"
                ? ["==> Building \(revision.prefix(12))", "#5 [build 2/4] RUN swift build -c release", "#5 compiling the service"]
                : ["Starting the service", "Listening on :8080"]
            if name == "buildLogs" ? status == "FAILED" : status == "CRASHED" {
                lines +=
                    state.logTails[revision] ?? [name == "buildLogs" ? "error: build failed (exit code 1)" : "fatal: the process exited (code 1)"]
            }
            let limit = a["limit"]?.numberValue.map(Int.init) ?? 100
            let stamp = JSONValue.string(ISO8601DateFormatter().string(from: deployment.createdAt))
            return .success(
                .array(lines.suffix(max(0, limit)).map { ["message": .string($0), "timestamp": stamp, "severity": "info"] }))
        case "variables":
            let projectId = string("projectId")!, environmentId = string("environmentId")!
            guard caller.mayAccess(projectId: projectId, environmentId: environmentId), state.projects[projectId] != nil else {
                return .failure(GraphQLErrors(messages: [RailwayError.notAuthorized]))
            }
            guard let serviceId = string("serviceId") else {
                return .success(.object((state.sharedVariables["\(projectId)/\(environmentId)"] ?? [:]).mapValues { .string($0) }))
            }
            guard let instance = state.instances[.init(serviceId: serviceId, environmentId: environmentId)], instance.projectId == projectId else {
                return .failure(GraphQLErrors(messages: ["Service not found"]))
            }
            // `unrendered` keeps `${{...}}` references as written; the emulator never renders them.
            return .success(.object(instance.variables.mapValues { .string($0) }))
        case "serviceInstance":
            let key = RailwayState.InstanceKey(serviceId: string("serviceId")!, environmentId: string("environmentId")!)
            guard let instance = state.instances[key], caller.mayAccess(projectId: instance.projectId, environmentId: key.environmentId) else {
                return .failure(GraphQLErrors(messages: ["ServiceInstance not found"]))
            }
            let mine = state.deployments.filter { $0.key == key }
            let latest = mine.last.map { deploymentJSON($0, state: state, now: now) } ?? .null
            let active = mine.filter { state.status(of: $0, at: now) == "SUCCESS" }.map { deploymentJSON($0, state: state, now: now) }
            let serviceName = state.projects[instance.projectId]?.services.first { $0.id == key.serviceId }?.name
            return .success([
                "id": .string("\(key.serviceId):\(key.environmentId)"), "serviceId": .string(key.serviceId),
                "environmentId": .string(key.environmentId), "serviceName": .optional(serviceName),
                "latestDeployment": latest, "activeDeployments": .array(active),
                "source": ["image": .optional(instance.image), "repo": .optional(instance.repo)],
                "startCommand": .null, "buildCommand": .null, "healthcheckPath": .null, "numReplicas": 1,
            ])
        case "serviceInstanceAutoDeployStatus":
            let key = RailwayState.InstanceKey(serviceId: string("serviceId")!, environmentId: string("environmentId")!)
            guard let instance = state.instances[key], instance.projectId == string("projectId"),
                caller.mayAccess(projectId: instance.projectId, environmentId: key.environmentId)
            else { return .failure(GraphQLErrors(messages: ["ServiceInstance not found"])) }
            return .success([
                "enabled": .bool(instance.autoDeploy && instance.repo != nil), "canEnable": .bool(instance.repo != nil),
                "reason": instance.repo == nil ? "Service has no connected repository" : .null,
            ])
        case "projectToken":
            guard case .project(let projectId, let environmentId) = caller else {
                return .failure(GraphQLErrors(messages: ["Project token not found"]))
            }
            return .success(["projectId": .string(projectId), "environmentId": .string(environmentId)])
        default:
            return mutate(name, arguments: a, caller: caller, state: &state, now: now)
        }
    }

    private func project(_ id: String, page: [String: JSONValue], caller: Caller, state: RailwayState) -> Resolved {
        guard let project = state.projects[id], caller.mayAccess(projectId: id, environmentId: nil) else {
            return .failure(GraphQLErrors(messages: ["Project not found"]))
        }
        // `services(first, after)`: Relay paging, cursors are service ids.
        var services = project.services
        if let after = page["after"]?.stringValue, let index = services.firstIndex(where: { $0.id == after }) {
            services = Array(services[(index + 1)...])
        }
        // The server's own page limit caps `first` (Railway's maximum is UNCONFIRMED).
        let first = min(page["first"]?.numberValue.map { Int($0) } ?? configuration.connectionPageSize, configuration.connectionPageSize)
        let servicePage = Array(services.prefix(max(0, first)))
        func connection(_ nodes: [JSONValue]) -> JSONValue {
            [
                "edges": .array(nodes.enumerated().map { ["cursor": .string(String($0.offset)), "node": $0.element] }),
                "pageInfo": ["hasNextPage": false, "hasPreviousPage": false, "startCursor": .null, "endCursor": .null],
            ]
        }
        let environments = project.environments.filter { caller.mayAccess(projectId: id, environmentId: $0.id) }
        return .success([
            "id": .string(project.id), "name": .string(project.name), "description": .null,
            "createdAt": .string(ISO8601DateFormatter().string(from: project.createdAt)),
            "updatedAt": .string(ISO8601DateFormatter().string(from: project.createdAt)),
            "baseEnvironmentId": .optional(project.environments.first?.id), "workspaceId": "emulator-workspace", "prDeploys": false,
            "services": [
                "edges": .array(
                    servicePage.map { service in
                        [
                            "cursor": .string(service.id),
                            "node": ["id": .string(service.id), "name": .string(service.name), "projectId": .string(id), "icon": .null],
                        ]
                    }),
                "pageInfo": [
                    "hasNextPage": .bool(services.count > servicePage.count), "hasPreviousPage": .bool(page["after"] != nil),
                    "startCursor": .optional(servicePage.first?.id), "endCursor": .optional(servicePage.last?.id),
                ],
            ],
            "environments": connection(
                environments.map {
                    ["id": .string($0.id), "name": .string($0.name), "projectId": .string(id), "isEphemeral": false]
                }),
        ])
    }

    private func deployments(_ a: [String: JSONValue], caller: Caller, state: RailwayState, now: Date) -> Resolved {
        let input = a["input"]?.objectValue ?? [:]
        let projectId = input["projectId"]?.stringValue, environmentId = input["environmentId"]?.stringValue
        let serviceId = input["serviceId"]?.stringValue
        if case .project = caller, !caller.mayAccess(projectId: projectId, environmentId: environmentId) || projectId == nil {
            return .failure(GraphQLErrors(messages: [RailwayError.notAuthorized]))
        }
        let statusIn = input["status"]?["in"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) }
        let statusNotIn = input["status"]?["notIn"]?.arrayValue.map { Set($0.compactMap(\.stringValue)) } ?? []
        // Newest first, as RCLI and RDOCS use `first: 1` for "latest" (ordering UNCONFIRMED in the schema).
        var matches = state.deployments.reversed().filter { d in
            (projectId.map { $0 == d.projectId } ?? true) && (environmentId.map { $0 == d.environmentId } ?? true)
                && (serviceId.map { $0 == d.serviceId } ?? true) && caller.mayAccess(projectId: d.projectId, environmentId: d.environmentId)
        }
        matches = matches.filter { d in
            let status = state.status(of: d, at: now)
            return (statusIn.map { $0.contains(status) } ?? true) && !statusNotIn.contains(status)
        }
        if let after = a["after"]?.stringValue, let index = matches.firstIndex(where: { $0.id == after }) {
            matches = Array(matches[(index + 1)...])
        }
        let first = a["first"]?.numberValue.map { Int($0) } ?? matches.count
        let page = Array(matches.prefix(max(0, first)))
        return .success([
            "edges": .array(page.map { ["cursor": .string($0.id), "node": deploymentJSON($0, state: state, now: now)] }),
            "pageInfo": [
                "hasNextPage": .bool(matches.count > page.count), "hasPreviousPage": .bool(a["after"] != nil),
                "startCursor": .optional(page.first?.id), "endCursor": .optional(page.last?.id),
            ],
        ])
    }

    func deploymentJSON(_ d: RailwayState.Deployment, state: RailwayState, now: Date) -> JSONValue {
        let status = state.status(of: d, at: now)
        let iso = ISO8601DateFormatter()
        let serviceName = state.projects[d.projectId]?.services.first { $0.id == d.serviceId }?.name ?? "service"
        return [
            "id": .string(d.id), "status": .string(status), "createdAt": .string(iso.string(from: d.createdAt)),
            "updatedAt": .string(iso.string(from: now)), "statusUpdatedAt": .string(iso.string(from: state.statusChangedAt(d, at: now))),
            "meta": .object(d.meta), "url": .string("\(serviceName)-\(d.environmentId.prefix(6)).up.railway.app"),
            "staticUrl": .string("\(serviceName)-\(d.environmentId.prefix(6)).up.railway.app"),
            "projectId": .string(d.projectId), "environmentId": .string(d.environmentId), "serviceId": .string(d.serviceId),
            "snapshotId": .string("snap-" + d.id.prefix(8)), "canRedeploy": true,
            "canRollback": .bool(state.canRollback(d, at: now, retention: configuration.imageRetention)),
            "deploymentStopped": .bool(status == "REMOVED"),
        ]
    }
}

extension RailwayEmulator {
    /// The steps a deployment's plan has reached by `now`, as Railway's deployment events name
    /// them: INITIALIZING is the snapshot of the code, BUILDING the image's build and publication,
    /// DEPLOYING the container's creation (its first half) and health check. A step still
    /// running has no `completedAt`; a build that failed carries the error.
    static func deploymentEvents(_ deployment: RailwayState.Deployment, now: Date) -> [JSONValue] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let stamp = { (date: Date) in JSONValue.string(formatter.string(from: date)) }
        var events: [JSONValue] = []
        var start = deployment.createdAt
        func event(_ step: String, from: Date, to: Date?, error: String? = nil) {
            guard from <= now else { return }
            let done = to.flatMap { $0 <= now ? $0 : nil }
            var payload: [String: JSONValue] = [:]
            if let done { payload["durationMs"] = .number((done.timeIntervalSince(from) * 1000).rounded()) }
            if let error { payload["error"] = .string(error) }
            events.append([
                "id": .string("\(deployment.id.prefix(8))-\(step)"), "step": .string(step), "createdAt": stamp(from),
                "completedAt": done.map(stamp) ?? .null, "payload": .object(payload),
            ])
        }
        let steps = deployment.plan.steps
        for (index, step) in steps.enumerated() {
            let end = step.duration.map { start.adding($0) }
            let failedNext = index + 1 < steps.count && steps[index + 1].status == "FAILED"
            switch step.status {
            case "INITIALIZING": event("SNAPSHOT_CODE", from: start, to: end)
            case "BUILDING": event("BUILD_IMAGE", from: start, to: end, error: failedNext ? "the build failed" : nil)
            case "DEPLOYING":
                let half = end.map { start.addingTimeInterval($0.timeIntervalSince(start) / 2) }
                event("CREATE_CONTAINER", from: start, to: half)
                if let half { event("HEALTHCHECK", from: half, to: end) }
            default: break
            }
            guard let end else { break }
            start = end
        }
        return events
    }
}
