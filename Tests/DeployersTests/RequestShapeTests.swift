import ClipnetContracts
import ClipnetJSON
import Deployers
import Foundation
import PlatformEmulators
import Testing

/// Replays the exact requests the clients sent (from the emulators' request logs) against the
/// required fields the platforms document (docs/platforms.md), independently of the emulators' own checks.
@Suite struct RequestShapeTests {
    /// Dotted paths that must be present in a body, per endpoint (docs/platforms.md).
    static let vercelRequired: [String: (query: [String: String?], body: [String])] = [
        "POST /v13/deployments": (
            ["forceNew": "1", "teamId": Fixture.teamId],
            ["name", "project", "gitSource.type", "gitSource.org", "gitSource.repo", "gitSource.ref", "gitSource.sha", "meta.reconcilerRollout"]
        ),
        "GET /v13/deployments/*": (["withGitRepoInfo": "true", "teamId": Fixture.teamId], []),
        "GET /v7/deployments": (["projectId": Fixture.vercelProject, "sha": nil, "limit": nil, "teamId": Fixture.teamId], []),
        "POST /v2/deployments/*/aliases": (["teamId": Fixture.teamId], ["alias", "redirect"]),
        "GET /v4/aliases/*": (["teamId": Fixture.teamId], []),
        "POST /v10/projects/*/env": (["upsert": "true", "teamId": Fixture.teamId], ["0.key", "0.value", "0.type", "0.target"]),
        "GET /v10/projects/*/env": (["teamId": Fixture.teamId], []),
        "GET /v9/projects/*": (["teamId": Fixture.teamId], []),
        "PATCH /v12/deployments/*/cancel": (["teamId": Fixture.teamId], []),
    ]

    /// Railway: operation -> dotted paths in `variables` (the documents use variables for every argument).
    static let railwayRequired: [String: [String]] = [
        "serviceInstanceDeployV2": ["serviceId", "environmentId", "commitSha"],
        "serviceInstanceUpdate": ["serviceId", "environmentId", "input.source.image"],
        "deployment": ["id"],
        "deployments": ["input.projectId", "input.environmentId", "input.serviceId", "first"],
        "deploymentRollback": ["id"],
        "deploymentCancel": ["id"],
        "variables": ["projectId", "environmentId", "serviceId", "unrendered"],
        "variableCollectionUpsert": ["input.projectId", "input.environmentId", "input.serviceId", "input.variables", "input.skipDeploys"],
        "project": ["id"],
        "serviceInstanceAutoDeployStatus": ["environmentId", "projectId", "serviceId"],
        "serviceInstanceAutoDeployUpdate": ["input.enabled", "input.environmentId", "input.projectId", "input.serviceId"],
    ]

    static func value(_ json: JSONValue?, at path: String) -> JSONValue? {
        path.split(separator: ".").reduce(json) { current, key in
            guard let current else { return nil }
            if let index = Int(key), case .array(let items) = current { return items.indices.contains(index) ? items[index] : nil }
            return current[String(key)]
        }
    }

    static func pattern(_ entry: RequestLog.Entry) -> String {
        let segments = entry.path.split(separator: "/").map(String.init)
        let generic = segments.enumerated().map { index, segment in
            // ids and names in the path become `*`
            (index >= 2 && !["aliases", "env", "cancel"].contains(segment)) ? "*" : segment
        }
        return "\(entry.method) /" + generic.joined(separator: "/")
    }

    @Test func vercelRequestsCarryTheDocumentedFields() async throws {
        try await VercelHarness.with { h in
            let vercel = h.deployer()
            let id = try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await vercel.waitForTerminal(id, of: .frontend, policy: Fixture.wait)
            _ = try await vercel.repoint(.frontend, to: id, reapplying: [DesiredVariable(key: "A", value: "value-a", kind: .plain)])
            _ = try await vercel.variables(of: .frontend)
            _ = try await vercel.topology()
            h.emulator.hangBuild(sha: Fixture.shaC)
            _ = try await vercel.cancel(
                try await vercel.deploy(DeployRequest(service: .frontend, revision: Fixture.shaC, rolloutID: "r-3")), of: .frontend)
            var seen: Set<String> = []
            for entry in h.log.all {
                let key = Self.pattern(entry)
                let rule = try #require(Self.vercelRequired[key], "no rule for \(key)")
                seen.insert(key)
                for (name, expected) in rule.query {
                    let actual = entry.queryValue(name)
                    #expect(actual != nil, "\(key) lacks query \(name)")
                    if let expected { #expect(actual == expected, "\(key) query \(name)") }
                }
                for path in rule.body { #expect(Self.value(entry.json, at: path) != nil, "\(key) lacks body field \(path)") }
                #expect(entry.headers["authorization"] == "Bearer \(Fixture.vercelToken)")
                if entry.method == "POST" { #expect(entry.headers["content-type"]?.hasPrefix("application/json") == true) }
            }
            #expect(seen == Set(Self.vercelRequired.keys))
            let create = try #require(h.log.requests("POST", "/v13/deployments").first?.json)
            #expect(Self.value(create, at: "gitSource.sha") == .string(Fixture.shaA))
            #expect(Self.value(create, at: "gitSource.type") == "github")
            let upsert = try #require(h.log.all.first { $0.path.hasSuffix("/env") && $0.method == "POST" }?.json)
            #expect(Self.value(upsert, at: "0.target") == ["preview"])
        }
    }

    @Test func railwayRequestsCarryTheDocumentedArguments() async throws {
        try await RailwayHarness.with(workerImage: "ghcr.io/clipnet/worker") { h in
            let railway = h.deployer()
            let a = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(a, of: .api, policy: Fixture.wait)
            let w = try await railway.deploy(DeployRequest(service: .worker, revision: Fixture.shaA, rolloutID: "r-1"))
            _ = try await railway.waitForTerminal(w, of: .worker, policy: Fixture.wait)
            let b = try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaB, rolloutID: "r-2"))
            _ = try await railway.waitForTerminal(b, of: .api, policy: Fixture.wait)
            _ = try await railway.repoint(.api, to: a, reapplying: [DesiredVariable(key: "K", value: "value-k")])
            _ = try await railway.observe(.api)
            _ = try await railway.variables(of: .api)
            _ = try await railway.topology()
            _ = try await railway.autoDeploy(of: .api)
            _ = try await railway.disableAutoDeploy(for: .api)
            h.emulator.hangBuild(revision: Fixture.shaC)
            _ = try await railway.cancel(try await railway.deploy(DeployRequest(service: .api, revision: Fixture.shaC, rolloutID: "r-3")), of: .api)
            var seen: Set<String> = []
            for entry in h.log.all {
                let operation = try #require(entry.operation)
                let rule = try #require(Self.railwayRequired[operation], "no rule for \(operation)")
                seen.insert(operation)
                #expect(entry.path == "/graphql/v2" && entry.method == "POST")
                #expect(entry.headers["authorization"] == "Bearer \(Fixture.railwayToken)")
                let variables = entry.json?["variables"]
                let isImageDeploy = operation == "serviceInstanceDeployV2" && variables?["serviceId"] == .string(Fixture.workerService)
                for path in rule where !(isImageDeploy && path == "commitSha") {
                    #expect(Self.value(variables, at: path) != nil, "\(operation) lacks \(path)")
                }
                #expect(entry.json?["query"]?.stringValue?.contains(operation) == true)
            }
            #expect(seen == Set(Self.railwayRequired.keys))
            for entry in h.log.requests(operation: "variableCollectionUpsert") {
                #expect(Self.value(entry.json?["variables"], at: "input.skipDeploys") == true)
            }
            for entry in h.log.requests(operation: "variables") {
                #expect(Self.value(entry.json?["variables"], at: "unrendered") == true)
            }
            let rollback = try #require(h.log.requests(operation: "deploymentRollback").first?.json?["query"]?.stringValue)
            #expect(rollback.hasSuffix("deploymentRollback(id: $id) }"), "deploymentRollback returns Boolean!: no selection")
            let live = h.log.requests(operation: "deployments").compactMap { Self.value($0.json?["variables"], at: "input.status.in") }
            #expect(live.contains(["SUCCESS"]))
            let sha = try #require(h.log.requests(operation: "serviceInstanceDeployV2").first?.json?["variables"]?["commitSha"]?.stringValue)
            #expect(sha.count == 40)
        }
    }
}
