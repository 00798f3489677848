import ClipnetContracts
import Foundation
import Testing

@testable import ClipnetConfig

/// Production's daemon is the same binary with stricter rules: it follows the branch promotion
/// moves and nothing else, and drift the base heals is only reported unless production.yaml says
/// otherwise.
@Suite struct ProductionRulesTests {
    static func production(_ repository: String = "") -> String {
        """
        environment: production
        repository:
          url: https://github.com/clipnet/clipnet.git
        \(repository)
        """
    }

    @Test func productionFollowsThePromotionBranchByDefaultAndTakesNoDeploymentRequests() throws {
        let production = try DaemonConfiguration.parse(Self.production(), file: "production-daemon.yaml")
        #expect(production.repository.branch == "production")
        #expect(production.deploymentRequestRefusal?.contains("follows only promoted revisions") == true)
        let staging = try DaemonConfiguration.parse(
            Self.production().replacingOccurrences(of: "environment: production", with: "environment: staging"), file: "staging-daemon.yaml")
        #expect(staging.repository.branch == "develop" && staging.deploymentRequestRefusal?.contains("github.requestTask") == true)
    }

    @Test func productionFollowingDevelopOrMarkedByTagsIsRefusedAtTheLineThatSaysSo() throws {
        let text = Self.production("  branch: develop\n  markTags: prod/*") + "\ngithub:\n  requestTask: deploy:request\n"
        do {
            _ = try DaemonConfiguration.parse(text, file: "production-daemon.yaml")
            Issue.record("production following develop was accepted")
        } catch let error as ConfigError {
            let rendered = error.diagnostics.map(\.description)
            #expect(error.diagnostics.count == 3, "\(rendered)")
            #expect(rendered.contains { $0.contains("remove github.requestTask") }, "\(rendered)")
            #expect(rendered.contains { $0.hasPrefix("production-daemon.yaml:4:11: ") && $0.contains("never develop") }, "\(rendered)")
            #expect(rendered.contains { $0.hasPrefix("production-daemon.yaml:5:3: ") && $0.contains("markTags") }, "\(rendered)")
        }
        // Staging may do all three.
        let staging = try DaemonConfiguration.parse(
            text.replacingOccurrences(of: "environment: production", with: "environment: staging"), file: "staging-daemon.yaml")
        #expect(staging.repository.markTags == "prod/*" && staging.github?.requestTask == "deploy:request")
        #expect(staging.deploymentRequestRefusal == nil)
    }

    @Test func productionReportsTheDriftTheBaseWouldHealUnlessItsOwnFileSaysHeal() throws {
        let staging = try ManifestLoader.load(environment: "staging", read: Fixtures.shippedFile).manifest
        let production = try ManifestLoader.load(environment: "production", read: Fixtures.shippedFile).manifest
        #expect(staging.drift[.revision] == .heal && staging.drift[.alias] == .heal)
        #expect(DriftKind.allCases.allSatisfy { production.drift[$0] == .report }, "\(production.drift.actions)")

        // production.yaml may still heal a kind: a decision written where its reviewers see it.
        let healing = try ManifestLoader.load(environment: "production") { path in
            let text = Fixtures.shippedFile(path)
            return path.hasSuffix("production.yaml") ? text?.replacingOccurrences(of: "drift:\n", with: "drift:\n  alias: heal\n") : text
        }.manifest
        #expect(healing.drift[.alias] == .heal && healing.drift[.revision] == .report)
    }

    @Test func eachDaemonNamesOnlyTheOtherEnvironmentsFingerprints() throws {
        let production = try DaemonConfiguration.parse(
            Self.production() + "stagingFingerprintsFile: /etc/reconciler/staging.fingerprints.json\n", file: "production-daemon.yaml")
        #expect(production.counterpartFingerprintsFile == "/etc/reconciler/staging.fingerprints.json")
        do {
            _ = try DaemonConfiguration.parse(
                Self.production() + "productionFingerprintsFile: /etc/reconciler/production.fingerprints.json\n", file: "production-daemon.yaml")
            Issue.record("production's daemon took its own fingerprints as the deny list")
        } catch let error as ConfigError {
            #expect(error.diagnostics.map(\.description).contains { $0.contains("name that file as stagingFingerprintsFile") }, "\(error)")
        }
        let staging = Self.production().replacingOccurrences(of: "environment: production", with: "environment: staging")
        #expect(throws: ConfigError.self) {
            _ = try DaemonConfiguration.parse(staging + "stagingFingerprintsFile: /tmp/s.json\n", file: "staging-daemon.yaml")
        }
    }
}
