import ClipnetJSON
import Foundation

/// The mutation resolvers: `serviceInstanceDeployV2`, `serviceInstanceUpdate`, `deploymentRollback`,
/// `deploymentCancel`, `variableCollectionUpsert`, `serviceInstanceAutoDeployUpdate`
/// (docs/platforms.md).
extension RailwayEmulator {
    func mutate(_ name: String, arguments a: [String: JSONValue], caller: Caller, state: inout RailwayState, now: Date) -> Resolved {
        let string = { (key: String) in a[key]?.stringValue }
        switch name {
        case "serviceInstanceDeployV2":
            let key = RailwayState.InstanceKey(serviceId: string("serviceId")!, environmentId: string("environmentId")!)
            guard let instance = state.instances[key], caller.mayAccess(projectId: instance.projectId, environmentId: key.environmentId) else {
                return .failure(GraphQLErrors(messages: ["Service not found"]))
            }
            var meta: [String: JSONValue] = ["reason": "deploy"]
            let revision: String
            if let repo = instance.repo {
                let sha: String
                if let given = string("commitSha")?.lowercased() {
                    // Validated against the connected repository: an unknown sha creates nothing.
                    guard state.commits[repo]?[given] != nil else { return .failure(GraphQLErrors(messages: ["Commit not found"])) }
                    sha = given
                } else {
                    guard let head = state.branchHeads[repo]?[instance.branch] else { return .failure(GraphQLErrors(messages: ["Commit not found"])) }
                    sha = head
                }
                meta["commitHash"] = .string(sha)
                meta["branch"] = .string(state.commits[repo]?[sha] ?? instance.branch)
                meta["commitMessage"] = "emulated commit"
                meta["repo"] = .string(repo)
                revision = sha
            } else {
                guard string("commitSha") == nil else {
                    return .failure(GraphQLErrors(messages: ["Cannot deploy a commit: the service has no connected repository"]))
                }
                guard let image = instance.image else { return .failure(GraphQLErrors(messages: ["Service has no source"])) }
                meta["image"] = .string(image)
                meta["imageDigest"] = .string("sha256:" + String(repeating: String(abs(image.hashValue) % 10), count: 64))
                revision = image.lowercased()
            }
            let deployment = newDeployment(key: key, instance: instance, meta: meta, revision: revision, build: true, state: state, now: now)
            state.deployments.append(deployment)
            return .success(.string(deployment.id))

        case "serviceInstanceUpdate":
            let serviceId = string("serviceId")!
            guard let project = state.project(ofService: serviceId) else { return .failure(GraphQLErrors(messages: ["Service not found"])) }
            let environments = string("environmentId").map { [$0] } ?? project.environments.map(\.id)
            var changed = false
            for environmentId in environments {
                let key = RailwayState.InstanceKey(serviceId: serviceId, environmentId: environmentId)
                guard state.instances[key] != nil, caller.mayAccess(projectId: project.id, environmentId: environmentId) else {
                    return .failure(GraphQLErrors(messages: ["ServiceInstance not found"]))
                }
                if let source = a["input"]?["source"]?.objectValue {
                    if let image = source["image"]?.stringValue, state.instances[key]!.image != image {
                        state.instances[key]!.image = image
                        state.instances[key]!.repo = nil
                        changed = true
                    }
                    if let repo = source["repo"]?.stringValue, state.instances[key]!.repo != repo {
                        state.instances[key]!.repo = repo
                        state.instances[key]!.image = nil
                        changed = true
                    }
                }
            }
            // false = "already up to date" (RCLI). UNCONFIRMED whether the real call deploys by itself:
            // the emulator does not, so a client that forgets serviceInstanceDeployV2 deploys nothing.
            return .success(.bool(changed))

        case "deploymentRollback":
            guard let target = state.deployments.first(where: { $0.id == string("id") }),
                caller.mayAccess(projectId: target.projectId, environmentId: target.environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            do {
                _ = try rollback(&state, to: target.id, now: now)
                return .success(.bool(true))
            } catch {
                return .failure(error)
            }

        case "deploymentCancel":
            guard let index = state.deployments.firstIndex(where: { $0.id == string("id") }),
                caller.mayAccess(projectId: state.deployments[index].projectId, environmentId: state.deployments[index].environmentId)
            else { return .failure(GraphQLErrors(messages: ["Deployment not found"])) }
            guard ["INITIALIZING", "BUILDING", "DEPLOYING", "QUEUED", "WAITING"].contains(state.status(of: state.deployments[index], at: now)) else {
                return .failure(GraphQLErrors(messages: ["Deployment is not in progress"]))
            }
            state.deployments[index].canceledAt = now
            return .success(.bool(true))

        case "variableCollectionUpsert":
            let input = a["input"]!.objectValue!
            let projectId = input["projectId"]!.stringValue!, environmentId = input["environmentId"]!.stringValue!
            guard caller.mayAccess(projectId: projectId, environmentId: environmentId), state.projects[projectId] != nil else {
                return .failure(GraphQLErrors(messages: [RailwayError.notAuthorized]))
            }
            guard let object = input["variables"]?.objectValue else {
                return .failure(GraphQLErrors(messages: ["Expected type \"EnvironmentVariables\" to be an object."]))
            }
            var variables: [String: String] = [:]
            for (key, value) in object {
                guard let string = value.stringValue else { return .failure(GraphQLErrors(messages: ["Variable \(key) must be a string"])) }
                variables[key] = string
            }
            let replace = input["replace"]?.boolValue ?? false
            let skipDeploys = input["skipDeploys"]?.boolValue ?? false
            guard let serviceId = input["serviceId"]?.stringValue else {
                let scope = "\(projectId)/\(environmentId)"
                if replace { state.sharedVariables[scope] = [:] }
                state.sharedVariables[scope, default: [:]].merge(variables) { _, new in new }
                return .success(.bool(true))
            }
            let key = RailwayState.InstanceKey(serviceId: serviceId, environmentId: environmentId)
            guard let instance = state.instances[key], instance.projectId == projectId else {
                return .failure(GraphQLErrors(messages: ["Service not found"]))
            }
            if replace { state.instances[key]!.variables = [:] }
            state.instances[key]!.variables.merge(variables) { _, new in new }
            // Without skipDeploys a variable change redeploys the service (docs/platforms.md).
            if !skipDeploys, let latest = state.deployments.last(where: { $0.key == key }) {
                var meta = latest.meta
                meta["reason"] = "variables"
                let revision = (meta["commitHash"] ?? meta["image"])?.stringValue?.lowercased() ?? ""
                state.deployments.append(
                    newDeployment(key: key, instance: state.instances[key]!, meta: meta, revision: revision, build: false, state: state, now: now))
            }
            return .success(.bool(true))

        case "serviceInstanceAutoDeployUpdate":
            let input = a["input"]!.objectValue!
            let key = RailwayState.InstanceKey(serviceId: input["serviceId"]!.stringValue!, environmentId: input["environmentId"]!.stringValue!)
            guard let instance = state.instances[key], instance.projectId == input["projectId"]?.stringValue,
                caller.mayAccess(projectId: instance.projectId, environmentId: key.environmentId)
            else { return .failure(GraphQLErrors(messages: ["ServiceInstance not found"])) }
            let enabled = input["enabled"]!.boolValue ?? false
            if enabled, instance.repo == nil { return .failure(GraphQLErrors(messages: ["Service has no connected repository"])) }
            state.instances[key]!.autoDeploy = enabled
            return .success(["enabled": .bool(enabled)])

        default:
            return .failure(GraphQLErrors(messages: ["Cannot query field \"\(name)\"."]))
        }
    }

    /// A new deployment of an instance, with the plan its faults dictate.
    func newDeployment(
        key: RailwayState.InstanceKey, instance: RailwayState.Instance, meta: [String: JSONValue], revision: String, build: Bool,
        state: RailwayState, now: Date
    ) -> RailwayState.Deployment {
        let t = configuration.timings
        var steps: [PhasePlan.Step] = [.init("INITIALIZING", for: t.initializing)]
        if build { steps.append(.init("BUILDING", for: t.building)) }
        if build, state.has(state.hangingBuilds, service: key.serviceId, revision: revision) {
            steps[steps.count - 1].duration = nil
        } else if build, state.has(state.failingBuilds, service: key.serviceId, revision: revision) {
            steps.append(.init("FAILED", for: nil))
        } else if let crash = state.fault(state.crashingDeploys, service: key.serviceId, revision: revision) {
            steps.append(.init("DEPLOYING", for: t.deploying))
            if let after = crash { steps.append(.init("SUCCESS", for: after)) }
            steps.append(.init("CRASHED", for: nil))
        } else {
            steps.append(.init("DEPLOYING", for: t.deploying))
            steps.append(.init("SUCCESS", for: nil))
        }
        return RailwayState.Deployment(
            id: EmulatorIDs.uuid(), projectId: instance.projectId, environmentId: key.environmentId, serviceId: key.serviceId,
            createdAt: now, plan: PhasePlan(steps), meta: meta, variables: instance.variables, canceledAt: nil
        )
    }

    /// Rolls an instance back to `deploymentId`: a new deployment with that deployment's image and
    /// meta, no build, and the instance's variables restored to that deployment's.
    func rollback(_ state: inout RailwayState, to deploymentId: String, now: Date) throws(GraphQLErrors) -> RailwayState.Deployment {
        guard let target = state.deployments.first(where: { $0.id == deploymentId }) else {
            throw GraphQLErrors(messages: ["Deployment not found"])
        }
        guard state.canRollback(target, at: now, retention: configuration.imageRetention), var instance = state.instances[target.key] else {
            throw GraphQLErrors(messages: ["Deployment cannot be rolled back"])
        }
        instance.variables = target.variables
        if let image = target.meta["image"]?.stringValue { instance.image = image }
        state.instances[target.key] = instance
        var meta = target.meta
        meta["reason"] = "rollback"
        meta["rollbackTargetDeploymentId"] = .string(target.id)
        let t = configuration.timings
        let deployment = RailwayState.Deployment(
            id: EmulatorIDs.uuid(), projectId: target.projectId, environmentId: target.environmentId, serviceId: target.serviceId,
            createdAt: now,
            plan: PhasePlan([.init("INITIALIZING", for: t.initializing), .init("DEPLOYING", for: t.deploying), .init("SUCCESS", for: nil)]),
            meta: meta, variables: target.variables, canceledAt: nil
        )
        state.deployments.append(deployment)
        return deployment
    }
}
