import ClipnetJSON
import Foundation
import Synchronization

/// `POST /v2/deployments/{id}/aliases` and `GET /v4/aliases/{idOrAlias}` (docs/platforms.md).
extension VercelEmulator {
    func assignAlias(_ request: EmulatorRequest, deploymentId: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug"]) { return rejected }
        guard let body = request.json?.objectValue else { return VercelError.badRequest("the body must be a JSON object.") }
        if let rejected = VercelError.checkObject(body, allowed: ["alias", "redirect"], required: ["alias"]) { return rejected }
        guard let alias = body["alias"]?.stringValue, !alias.isEmpty else { return VercelError.badRequest("`alias` should be string.") }
        let now = Date()
        return state.withLock { state in
            guard inScope, let deployment = state.deployment(deploymentId) else { return VercelError.notFound("Deployment not found") }
            if deployment.deletedAt != nil { return VercelError.deleted() }
            guard deployment.readyState(at: now) == "READY" else {
                return VercelError.response(400, "deployment_not_ready", "The deployment is not READY and can not be aliased")
            }
            let previous = state.aliases[alias]
            let uid = previous?.uid ?? EmulatorIDs.prefixed("alias_")
            state.aliases[alias] = .init(
                uid: uid, alias: alias, deploymentId: deployment.id, projectId: deployment.projectId,
                created: previous?.created ?? now, updatedAt: now
            )
            var answer: [String: JSONValue] = [
                "uid": .string(uid), "alias": .string(alias), "created": .string(ISO8601DateFormatter().string(from: now)),
            ]
            if let old = previous?.deploymentId { answer["oldDeploymentId"] = .string(old) }
            return .json(.object(answer))
        }
    }

    func getAlias(_ request: EmulatorRequest, idOrAlias: String, inScope: Bool) -> EmulatorResponse {
        if let rejected = VercelError.checkQuery(request, allowed: ["teamId", "slug", "projectId", "since", "until", "from"]) { return rejected }
        return state.withLock { state in
            guard inScope, let alias = state.aliases[idOrAlias] ?? state.aliases.values.first(where: { $0.uid == idOrAlias }) else {
                return VercelError.notFound("The alias \(idOrAlias) was not found")
            }
            if let projectId = request.queryValue("projectId"), (state.project(projectId)?.id ?? projectId) != alias.projectId {
                return VercelError.notFound("The alias \(idOrAlias) was not found")
            }
            let deployment = state.deployment(alias.deploymentId)
            return .json([
                "uid": .string(alias.uid), "alias": .string(alias.alias), "deploymentId": .string(alias.deploymentId),
                "projectId": .string(alias.projectId), "redirect": .null, "redirectStatusCode": .null,
                "created": .string(ISO8601DateFormatter().string(from: alias.created)),
                "createdAt": .milliseconds(alias.created), "updatedAt": .milliseconds(alias.updatedAt),
                "deployment": deployment.map { ["id": .string($0.id), "url": .string($0.url)] } ?? .null,
            ])
        }
    }
}
