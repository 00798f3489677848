public import ClipnetJSON

/// Railway's admin actions (`POST /_emulator/<action>`), the HTTP twins of the Swift methods:
/// - `projects` `{"id","name","environments":[{"id","name"}]}`
/// - `services` `{"id","name","projectId","repo"?,"branch"?,"image"?,"autoDeploy"?}`
/// - `commits` `{"sha","repo","branch"?}`
/// - `variables` `{"serviceId","environmentId","variables":{...}}`
/// - `faults/fail-build`, `faults/hang-build` `{"revision","serviceId"?}`
/// - `faults/crash-after-deploy` `{"revision","serviceId"?,"afterMilliseconds"?}`
/// - `drift/rollback` `{"deploymentId"}`: someone rolls the service back by hand.
extension RailwayEmulator {
    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? {
        func string(_ field: String) throws(AdminFailure) -> String { try AdminReply.require(body, field).get() }
        do {
            switch action {
            case "projects":
                let environments = (body["environments"]?.arrayValue ?? []).compactMap { env -> (String, String)? in
                    guard let id = env["id"]?.stringValue, let name = env["name"]?.stringValue else { return nil }
                    return (id, name)
                }
                addProject(id: try string("id"), name: try string("name"), environments: environments)
            case "services":
                addService(
                    id: try string("id"), name: try string("name"), projectId: try string("projectId"), repo: body["repo"]?.stringValue,
                    branch: body["branch"]?.stringValue ?? "main", image: body["image"]?.stringValue,
                    autoDeploy: body["autoDeploy"]?.boolValue ?? true
                )
            case "commits":
                registerCommit(try string("sha"), branch: body["branch"]?.stringValue ?? "main", repo: try string("repo"))
            case "variables":
                let variables = (body["variables"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
                setVariables(variables, serviceId: try string("serviceId"), environmentId: try string("environmentId"))
            case "faults/fail-build":
                failBuild(revision: try string("revision"), serviceId: body["serviceId"]?.stringValue)
            case "faults/hang-build":
                hangBuild(revision: try string("revision"), serviceId: body["serviceId"]?.stringValue)
            case "faults/crash-after-deploy":
                let after = body["afterMilliseconds"]?.numberValue.map { Duration.milliseconds(Int64($0)) }
                crashAfterDeploy(revision: try string("revision"), serviceId: body["serviceId"]?.stringValue, after: after)
            case "drift/rollback":
                guard rollbackByHand(to: try string("deploymentId")) else { return AdminReply.badRequest("deployment cannot be rolled back") }
            default:
                return nil
            }
            return AdminReply.ok
        } catch {
            return error.response
        }
    }
}
