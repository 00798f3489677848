import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import Testing

/// The emulators check requests the way the real APIs do, so client mistakes fail in tests.
@Suite struct EmulatorFidelityTests {
    static func send(
        _ server: EmulatorServer, _ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: String? = nil
    ) async throws -> (Int, JSONValue?) {
        var headers = headers
        if json != nil { headers.add("Content-Type", "application/json") }
        let response = try await Fixture.client.send(
            HTTPRequest(method: method, url: server.baseURL + path, headers: headers, body: json.map { Array($0.utf8) }))
        return (response.status, JSONValue.parse(response.body))
    }

    static let vercelAuth: HTTPHeaders = ["Authorization": "Bearer \(Fixture.vercelToken)"]
    static let railwayAuth: HTTPHeaders = ["Authorization": "Bearer \(Fixture.railwayToken)"]

    static func graphQL(
        _ server: EmulatorServer, _ query: String, variables: String = "{}", headers: HTTPHeaders = railwayAuth
    ) async throws -> (Int, JSONValue?) {
        let body = JSONValue.object(["query": .string(query), "variables": JSONValue.parse(Array(variables.utf8)) ?? [:]])
        return try await send(server, .post, "/graphql/v2", headers: headers, json: String(decoding: body.serialized, as: UTF8.self))
    }

    @Test func vercelWithoutTokenAnswers401InVercelsErrorShape() async throws {
        try await VercelHarness.with { h in
            let (status, body) = try await Self.send(h.server, .get, "/v9/projects/\(Fixture.vercelProject)?teamId=\(Fixture.teamId)")
            #expect(status == 401)
            #expect(body?["error"]?["code"] == "forbidden")
            #expect(body?["error"]?["message"]?.stringValue != nil)
        }
    }

    @Test func vercelRejectsUnknownBodyFieldsAndMissingRequiredOnes() async throws {
        try await VercelHarness.with { h in
            let path = "/v13/deployments?teamId=\(Fixture.teamId)"
            let (unknown, body) = try await Self.send(
                h.server, .post, path, headers: Self.vercelAuth, json: #"{"name":"clipnet-web","colour":"red"}"#)
            #expect(unknown == 400)
            #expect(body?["error"]?["code"] == "bad_request")
            #expect(body?["error"]?["message"]?.stringValue?.contains("colour") == true)
            let (missing, _) = try await Self.send(h.server, .post, path, headers: Self.vercelAuth, json: #"{"project":"prj_frontend"}"#)
            #expect(missing == 400)
            let (badGit, gitBody) = try await Self.send(
                h.server, .post, path, headers: Self.vercelAuth,
                json: #"{"name":"clipnet-web","gitSource":{"type":"github","org":"clipnet","repo":"clipnet","sha":"\#(Fixture.shaA)"}}"#
            )
            #expect(badGit == 400)
            #expect(gitBody?["error"]?["message"]?.stringValue?.contains("ref") == true)
        }
    }

    @Test func vercelLifecycleGoesQueuedBuildingReady() async throws {
        try await VercelHarness.with { h in
            let (_, created) = try await Self.send(
                h.server, .post, "/v13/deployments?teamId=\(Fixture.teamId)&forceNew=1", headers: Self.vercelAuth,
                json:
                    #"{"name":"clipnet-web","gitSource":{"type":"github","org":"clipnet","repo":"clipnet","ref":"develop","sha":"\#(Fixture.shaA)"}}"#
            )
            let id = try #require(created?["id"]?.stringValue)
            var seen: [String] = []
            var last: JSONValue?
            for _ in 0..<400 {
                let (_, body) = try await Self.send(h.server, .get, "/v13/deployments/\(id)?teamId=\(Fixture.teamId)", headers: Self.vercelAuth)
                let state = try #require(body?["readyState"]?.stringValue)
                if seen.last != state { seen.append(state) }
                last = body
                if state == "READY" { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            // Polls may miss a short phase on a loaded machine: check the order, not each phase.
            #expect(seen.last == "READY")
            #expect(seen == ["QUEUED", "BUILDING", "READY"].filter(seen.contains))
            let createdAt = try #require(last?["createdAt"]?.numberValue)
            let building = try #require(last?["buildingAt"]?.numberValue)
            let ready = try #require(last?["ready"]?.numberValue)
            #expect(createdAt <= building && building <= ready)
        }
    }

    @Test func vercelWithoutTeamIdDoesNotSeeTheTeamsProject() async throws {
        try await VercelHarness.with { h in
            let (status, body) = try await Self.send(h.server, .get, "/v9/projects/\(Fixture.vercelProject)", headers: Self.vercelAuth)
            #expect(status == 404)
            #expect(body?["error"]?["code"] == "not_found")
        }
    }

    @Test func railwayAnswersAuthErrorsWithHTTP200AndAnErrorsArray() async throws {
        try await RailwayHarness.with { h in
            let (status, body) = try await Self.graphQL(h.server, "query { projectToken { projectId } }", headers: [:])
            #expect(status == 200)
            #expect(body?["errors"]?.arrayValue?.first?["message"] == "Not Authorized")
            #expect(body?["data"] == .null)
        }
    }

    @Test func railwayRejectsUnknownOperationsAndMissingArguments() async throws {
        try await RailwayHarness.with { h in
            let (_, unknown) = try await Self.graphQL(h.server, "mutation { serviceDeployEverything(id: \"x\") }")
            #expect(unknown?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("Cannot query field") == true)
            let (_, missing) = try await Self.graphQL(h.server, "mutation { serviceInstanceDeployV2(serviceId: \"svc-api\") }")
            #expect(missing?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("argument \"environmentId\"") == true)
            let (_, unprovided) = try await Self.graphQL(h.server, "query q($id: String!) { deployment(id: $id) { id } }")
            #expect(unprovided?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("was not provided") == true)
            let (_, badInput) = try await Self.graphQL(
                h.server, "mutation { variableCollectionUpsert(input: {projectId: \"p\", variables: {}, skipDeploy: true}) }"
            )
            let messages = badInput?["errors"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
            #expect(messages.contains { $0.contains("\"skipDeploy\" is not defined") })
            #expect(messages.contains { $0.contains("environmentId") })
        }
    }

    @Test func railwayRejectsSelectionsTheSchemaForbids() async throws {
        try await RailwayHarness.with { h in
            let (_, rollback) = try await Self.graphQL(h.server, "mutation { deploymentRollback(id: \"x\") { id status } }")
            #expect(rollback?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("must not have a selection") == true)
            let (_, meta) = try await Self.graphQL(h.server, "query { deployment(id: \"x\") { meta { imageDigest } } }")
            #expect(meta?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("must not have a selection") == true)
            let (_, successfulOnly) = try await Self.graphQL(
                h.server, "query { deployments(input: {status: {successfulOnly: true}}) { edges { node { id } } } }"
            )
            #expect(successfulOnly?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("successfulOnly") == true)
        }
    }

    @Test func railwayVariableUpsertWithoutSkipDeploysRedeploys() async throws {
        try await RailwayHarness.with { h in
            let deploy =
                "mutation { serviceInstanceDeployV2(serviceId: \"\(Fixture.apiService)\", environmentId: \"\(Fixture.staging)\", commitSha: \"\(Fixture.shaA)\") }"
            _ = try await Self.graphQL(h.server, deploy)
            let upsert = """
                mutation { variableCollectionUpsert(input: {projectId: "\(Fixture.railwayProject)", environmentId: "\(Fixture.staging)", \
                serviceId: "\(Fixture.apiService)", variables: {A: "1"}}) }
                """
            let (_, body) = try await Self.graphQL(h.server, upsert)
            #expect(body?["data"]?["variableCollectionUpsert"] == true)
            #expect(h.emulator.deployments().count == 2)
            let skipping = upsert.replacingOccurrences(of: "{A: \"1\"}", with: "{A: \"2\"}, skipDeploys: true")
            _ = try await Self.graphQL(h.server, skipping)
            #expect(h.emulator.deployments().count == 2)
            #expect(h.emulator.variables(serviceId: Fixture.apiService, environmentId: Fixture.staging) == ["A": "2"])
        }
    }

    @Test func railwayProjectTokenIsScopedToItsEnvironment() async throws {
        try await RailwayHarness.with { h in
            let headers: HTTPHeaders = ["Project-Access-Token": Fixture.railwayProjectToken]
            let (_, own) = try await Self.graphQL(h.server, "query { projectToken { projectId environmentId } }", headers: headers)
            #expect(own?["data"]?["projectToken"]?["environmentId"] == .string(Fixture.staging))
            let (_, other) = try await Self.graphQL(
                h.server, "query { variables(projectId: \"\(Fixture.railwayProject)\", environmentId: \"\(Fixture.production)\") }", headers: headers
            )
            #expect(other?["errors"]?.arrayValue?.first?["message"] == "Not Authorized")
        }
    }

    @Test func adminEndpointSeedsInjectsFaultsAndServesTheRequestLog() async throws {
        try await RailwayHarness.with { h in
            let sha = String(repeating: "d4", count: 20)
            var (status, _) = try await Self.send(h.server, .post, "/_emulator/commits", json: #"{"sha":"\#(sha)","repo":"clipnet/clipnet"}"#)
            #expect(status == 200)
            (status, _) = try await Self.send(h.server, .post, "/_emulator/faults/rate-limit", json: #"{"count":1,"retryAfter":"7"}"#)
            #expect(status == 200)
            let deploy =
                "mutation { serviceInstanceDeployV2(serviceId: \"\(Fixture.apiService)\", environmentId: \"\(Fixture.staging)\", commitSha: \"\(sha)\") }"
            let (limited, _) = try await Self.graphQL(h.server, deploy)
            #expect(limited == 429)
            let (ok, body) = try await Self.graphQL(h.server, deploy)
            #expect(ok == 200)
            #expect(body?["data"]?["serviceInstanceDeployV2"]?.stringValue != nil)
            let (_, log) = try await Self.send(h.server, .get, "/_emulator/requests")
            #expect(log?.arrayValue?.map { $0["status"] } == [429, 200])
            #expect(log?.arrayValue?.first?["operation"] == "serviceInstanceDeployV2")
            (status, _) = try await Self.send(h.server, .post, "/_emulator/nonsense", json: "{}")
            #expect(status == 404)
        }
    }

    @Test func phasePlanHoldsEachStatusForItsDuration() {
        let plan = PhasePlan([.init("QUEUED", for: .seconds(1)), .init("BUILDING", for: .seconds(2)), .init("READY", for: nil)])
        #expect(plan.status(after: .zero) == "QUEUED")
        #expect(plan.status(after: .milliseconds(1500)) == "BUILDING")
        #expect(plan.status(after: .seconds(3)) == "READY")
        #expect(plan.start(of: "READY") == .seconds(3))
        let hung = PhasePlan([.init("QUEUED", for: .seconds(1)), .init("BUILDING", for: nil), .init("READY", for: nil)])
        #expect(hung.status(after: .seconds(100)) == "BUILDING")
    }
}
