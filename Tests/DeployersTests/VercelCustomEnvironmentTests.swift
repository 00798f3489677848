import ClipnetContracts
import ClipnetJSON
import Deployers
import Foundation
import PlatformEmulators
import Testing

/// Staging on Vercel is a custom environment: its variables (secrets included) must reach the
/// staging deployment and no preview deployment.
@Suite struct VercelCustomEnvironmentTests {
    static let secret = "nextauth-secret-" + UUID().uuidString
    static let variables = [
        DesiredVariable(key: "NEXTAUTH_SECRET", value: secret, kind: .secret),
        DesiredVariable(key: "NEXT_PUBLIC_API_URL", value: "https://api.staging.clipnet.ai", kind: .plain),
    ]

    @Test func stagingVariablesAreWrittenToTheCustomEnvironmentAndNeverToPreview() async throws {
        try await VercelHarness.with { h in
            let deployer = h.deployer(target: .staging)
            try await deployer.upsertVariables(Self.variables, for: .frontend)

            let stored = h.emulator.envDetails(project: Fixture.vercelProject)
            #expect(stored.count == 2)
            for env in stored {
                #expect(env.target.isEmpty)
                #expect(env.customEnvironments == ["staging"])
                #expect(env.comment == "managed by clipnet-reconciler (environment staging)")
            }
            let bodies = h.log.requests("POST", "/v10/projects/\(Fixture.vercelProject)/env").compactMap(\.json)
            #expect(bodies.count == 1)
            #expect(!String(decoding: bodies[0].serialized, as: UTF8.self).contains("preview"))
        }
    }

    @Test func aPreviewDeploymentDoesNotSeeStagingsVariablesAndTheStagingOneDoes() async throws {
        try await VercelHarness.with { h in
            try await h.deployer(target: .staging).upsertVariables(Self.variables, for: .frontend)

            let staging = try await h.deployer(target: .staging).deploy(
                DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-staging"))
            let preview = try await h.deployer(target: .preview).deploy(
                DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-preview"))

            let stagingSees = try #require(h.emulator.deploymentEnvironment(staging.rawValue))
            let previewSees = try #require(h.emulator.deploymentEnvironment(preview.rawValue))
            #expect(stagingSees["NEXTAUTH_SECRET"] == Self.secret)
            #expect(stagingSees["NEXT_PUBLIC_API_URL"] == "https://api.staging.clipnet.ai")
            #expect(previewSees["NEXTAUTH_SECRET"] == nil)
            #expect(!previewSees.values.contains(Self.secret))
        }
    }

    @Test func variablesAreReadBackFromTheCustomEnvironmentOnly() async throws {
        try await VercelHarness.with { h in
            h.emulator.setEnv(
                project: Fixture.vercelProject, key: "NEXT_PUBLIC_API_URL", value: "https://preview.example", type: "plain", target: ["preview"])
            let deployer = h.deployer(target: .staging)
            #expect(try await deployer.variables(of: .frontend).isEmpty)

            try await deployer.upsertVariables(Self.variables, for: .frontend)
            let observed = try await deployer.variables(of: .frontend)
            #expect(observed.map(\.key) == ["NEXTAUTH_SECRET", "NEXT_PUBLIC_API_URL"])
            #expect(observed.allSatisfy { $0.targets == ["staging"] })
            #expect(observed.first { $0.key == "NEXT_PUBLIC_API_URL" }?.matches("https://api.staging.clipnet.ai") == true)
            let reads = h.log.requests("GET", "/v10/projects/\(Fixture.vercelProject)/env")
            #expect(reads.allSatisfy { $0.queryValue("customEnvironmentId") != nil })
        }
    }

    @Test func aSecondUpsertEditsTheCustomEnvironmentsVariablesInPlace() async throws {
        try await VercelHarness.with { h in
            let deployer = h.deployer(target: .staging)
            try await deployer.upsertVariables(Self.variables, for: .frontend)
            try await deployer.upsertVariables(
                [DesiredVariable(key: "NEXT_PUBLIC_API_URL", value: "https://api2.staging.clipnet.ai", kind: .plain)], for: .frontend)

            let stored = h.emulator.envs(project: Fixture.vercelProject)
            #expect(stored.count == 2)
            #expect(stored.first { $0.key == "NEXT_PUBLIC_API_URL" }?.value == "https://api2.staging.clipnet.ai")
            let id = try #require(h.emulator.envIDs(project: Fixture.vercelProject, key: "NEXT_PUBLIC_API_URL").first)
            #expect(h.log.requests("PATCH", "/v9/projects/\(Fixture.vercelProject)/env/\(id)").count == 1)
        }
    }

    @Test func theSlugIsResolvedToItsIdOnce() async throws {
        try await VercelHarness.with { h in
            let deployer = h.deployer(target: .customEnvironment("staging"))
            _ = try await deployer.variables(of: .frontend)
            _ = try await deployer.variables(of: .frontend)
            #expect(h.log.requests("GET", "/v9/projects/\(Fixture.vercelProject)/custom-environments/staging").count == 1)
        }
    }

    @Test func anUnknownCustomEnvironmentIsNotFoundAndNothingIsWritten() async throws {
        try await VercelHarness.with(customEnvironments: []) { h in
            let error = await #expect(throws: DeployerError.self) {
                try await h.deployer(target: .staging).upsertVariables(Self.variables, for: .frontend)
            }
            #expect(error?.code == .notFound)
            #expect(h.emulator.envs(project: Fixture.vercelProject).isEmpty)
        }
    }

    @Test func productionVariablesCarryTheManagedCommentNamingProduction() async throws {
        try await VercelHarness.with { h in
            try await h.deployer(target: .production).upsertVariables(Self.variables, for: .frontend)
            let stored = h.emulator.envDetails(project: Fixture.vercelProject)
            #expect(stored.allSatisfy { $0.target == ["production"] && $0.comment == "managed by clipnet-reconciler (environment production)" })
        }
    }

    @Test func onlyAStagedProductionBuildMayStartBesideTheBackend() async throws {
        try await VercelHarness.with { h in
            #expect(h.deployer(target: .production).buildsStayOffDomains)
            for target: VercelConfiguration.Target in [.staging, .customEnvironment("qa"), .preview] {
                #expect(!h.deployer(target: target).buildsStayOffDomains, "\(target)")
            }
            // What makes the production build staged: the create request leaves the domains alone.
            _ = try await h.deployer(target: .production).deploy(DeployRequest(service: .frontend, revision: Fixture.shaA, rolloutID: "r-p"))
            let body = try #require(h.log.requests("POST", "/v13/deployments").last?.json)
            #expect(body["target"]?.stringValue == "production" && body["autoAssignCustomDomains"]?.boolValue == false)
        }
    }
}

/// The clean-up of what an earlier version wrote to `preview` for staging: exactly those
/// variables, never one the reconciler did not write.
@Suite struct VercelPreviewLeftoverTests {
    @Test func onlyTheVariablesAnEarlierVersionWroteToPreviewAreListedAndRemoved() async throws {
        try await VercelHarness.with { h in
            let secret = "old-secret-" + UUID().uuidString
            let declared = [
                DesiredVariable(key: "NEXTAUTH_SECRET", value: secret, kind: .secret),
                DesiredVariable(key: "NEXT_PUBLIC_API_URL", value: "https://api.staging.clipnet.ai", kind: .plain),
                DesiredVariable(key: "NEXT_PUBLIC_FLAG", value: "on", kind: .plain),
            ]
            let project = Fixture.vercelProject
            // What the earlier version wrote: target preview, no comment.
            h.emulator.setEnv(project: project, key: "NEXTAUTH_SECRET", value: secret, type: "sensitive", target: ["preview"])
            h.emulator.setEnv(
                project: project, key: "NEXT_PUBLIC_API_URL", value: "https://api.staging.clipnet.ai", type: "plain", target: ["preview"])
            // People's variables: a preview value someone changed, an unrelated key, a variable of
            // preview and production together, and one of the custom environment itself.
            h.emulator.setEnv(project: project, key: "NEXT_PUBLIC_FLAG", value: "off-for-previews", type: "plain", target: ["preview"])
            h.emulator.setEnv(project: project, key: "SENTRY_DSN", value: "https://sentry.example/1", type: "plain", target: ["preview"])
            h.emulator.setEnv(project: project, key: "NEXTAUTH_SECRET", value: "shared", type: "sensitive", target: ["production", "development"])
            let deployer = h.deployer(target: .staging)
            try await deployer.upsertVariables(declared, for: .frontend)

            let leftovers = try await deployer.previewLeftovers(declared: declared)
            #expect(leftovers.map(\.key) == ["NEXTAUTH_SECRET", "NEXT_PUBLIC_API_URL"])
            #expect(leftovers.map(\.evidence) == [.sameKeyAndType, .sameValue])

            let removed = try await deployer.removePreviewLeftovers(leftovers, declared: declared)
            #expect(removed.count == 2)
            let remaining = h.emulator.envDetails(project: project)
            #expect(!remaining.contains { $0.target == ["preview"] && ["NEXTAUTH_SECRET", "NEXT_PUBLIC_API_URL"].contains($0.key) })
            #expect(remaining.contains { $0.key == "NEXT_PUBLIC_FLAG" && $0.target == ["preview"] })
            #expect(remaining.contains { $0.key == "SENTRY_DSN" })
            #expect(remaining.contains { $0.key == "NEXTAUTH_SECRET" && $0.target == ["production", "development"] })
            #expect(remaining.filter { $0.customEnvironments == ["staging"] }.count == 3)
            #expect(try await deployer.previewLeftovers(declared: declared).isEmpty)
        }
    }

    @Test func aStandardTargetHasNoLeftovers() async throws {
        try await VercelHarness.with { h in
            h.emulator.setEnv(project: Fixture.vercelProject, key: "A", value: "1", type: "plain", target: ["preview"])
            let leftovers = try await h.deployer(target: .preview).previewLeftovers(declared: [DesiredVariable(key: "A", value: "1", kind: .plain)])
            #expect(leftovers.isEmpty)
        }
    }
}
