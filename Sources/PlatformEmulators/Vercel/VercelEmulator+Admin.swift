public import ClipnetJSON

/// Vercel's admin actions (`POST /_emulator/<action>`), the HTTP twins of the Swift seeding and
/// fault methods:
/// - `projects` `{"id","name","org","repo","repoId"?,"productionBranch"?}`
/// - `commits` `{"sha","branch","org","repo"}`
/// - `env` `{"project","key","value","type"?,"target"?:[...]}`
/// - `faults/fail-build` / `faults/hang-build` `{"sha","project"?}`
/// - `custom-environments` `{"project","slug"}`
/// - `faults/block-build` `{"sha","project"?}`
/// - `retention/delete` `{"deploymentId"}`: retention deletes a deployment.
/// - `faults/fail-env` `{"key"}`
/// - `drift/alias` `{"alias","deploymentId"}`: someone re-points the alias by hand.
extension VercelEmulator {
    public func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse? {
        func string(_ field: String) throws(AdminFailure) -> String { try AdminReply.require(body, field).get() }
        do {
            switch action {
            case "projects":
                addProject(
                    id: try string("id"), name: try string("name"), org: try string("org"), repo: try string("repo"),
                    repoId: Int(body["repoId"]?.numberValue ?? 1), productionBranch: body["productionBranch"]?.stringValue ?? "main"
                )
            case "commits":
                registerCommit(try string("sha"), branch: try string("branch"), org: try string("org"), repo: try string("repo"))
            case "env":
                let target = body["target"]?.arrayValue?.compactMap(\.stringValue) ?? ["production", "preview"]
                setEnv(
                    project: try string("project"), key: try string("key"), value: try string("value"),
                    type: body["type"]?.stringValue ?? "encrypted", target: target)
            case "faults/fail-build":
                failBuild(sha: try string("sha"), project: body["project"]?.stringValue)
            case "faults/hang-build":
                hangBuild(sha: try string("sha"), project: body["project"]?.stringValue)
            case "custom-environments":
                guard addCustomEnvironment(project: try string("project"), slug: try string("slug")) != nil else {
                    return AdminReply.badRequest("no such project")
                }
            case "faults/block-build":
                blockBuild(sha: try string("sha"), project: body["project"]?.stringValue)
            case "retention/delete":
                guard expireDeployment(try string("deploymentId")) else { return AdminReply.badRequest("no such deployment") }
            case "faults/fail-env":
                failEnvUpsert(key: try string("key"))
            case "drift/alias":
                repointAlias(try string("alias"), to: try string("deploymentId"))
            default:
                return nil
            }
            return AdminReply.ok
        } catch {
            return error.response
        }
    }
}
