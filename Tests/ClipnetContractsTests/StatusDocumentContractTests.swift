import ClipnetContracts
import Foundation
import Testing

/// What the daemon writes in `/status` and the CLI and the page judge from it.
@Suite struct StatusDocumentContractTests {
    static let at = Date(timeIntervalSince1970: 1_796_000_000)

    static func document(rolloutPhase: String?) -> StatusDocument {
        StatusDocument(
            environment: "staging", branch: "develop",
            desired: .init(revision: "4f2c9a1e0b7d3c5a8e6f1d2c3b4a59687766554a", source: .branch, pin: nil, failed: nil),
            knownGood: KnownGoodRecord(
                revision: "4f2c9a1e0b7d3c5a8e6f1d2c3b4a59687766554a", at: at, deployments: ServiceDeployments(frontend: "dpl_1")),
            services: [], drift: [],
            rollout: rolloutPhase.map {
                .init(
                    id: "r1", revision: "4f2c9a1e0b7d3c5a8e6f1d2c3b4a59687766554a", phase: $0, startedAt: at, updatedAt: at,
                    deployments: ServiceDeployments(), error: nil, trigger: "push", verification: nil)
            },
            lastReconcile: nil, git: .init(head: nil, lastFetchAt: nil, lastError: nil), leader: true)
    }

    @Test func everyFinishedPhaseEndsTheRolloutInTheVerdict() {
        for phase in RolloutPhase.allCases {
            let verdict = StatusVerdict(Self.document(rolloutPhase: phase.rawValue))
            let rollingOut = if case .rollingOut = verdict.kind { true } else { false }
            #expect(rollingOut == phase.isActive, "\(phase)")
        }
    }

    @Test func aPhaseThisClientDoesNotKnowCountsAsStillRollingOut() {
        let document = Self.document(rolloutPhase: "awaitingChecks")
        #expect(document.rollout?.isActive == true)
        guard case .rollingOut = StatusVerdict(document).kind else {
            Issue.record("an unknown phase must not read as finished")
            return
        }
    }

    @Test func theDocumentRoundTripsInTheContractEncoding() throws {
        let document = Self.document(rolloutPhase: "deployBackend")
        let data = try StatusDocument.encoder().encode(document)
        #expect(try StatusDocument.decoder().decode(StatusDocument.self, from: data) == document)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""at":"2026-11-30T00:53:20.000Z""#) && text.contains(#""deployments":{"frontend":"dpl_1"}"#))
    }

    @Test func theActionBodiesTheCLISendsAreTheOnesTheServerReads() throws {
        let pin = try JSONDecoder().decode(PinRequest.self, from: JSONEncoder().encode(PinRequest(revision: "abc", reason: "r", force: true)))
        #expect(pin.revision == "abc" && pin.reason == "r" && pin.force == true && pin.by == nil)
        let missing = try JSONDecoder().decode(RollbackRequest.self, from: Data("{}".utf8))
        #expect(missing.to == nil && missing.reason == nil, "every request field is optional at decoding")
        let refusal = try JSONDecoder().decode(ErrorAnswer.self, from: Data(#"{"error":{"code":"invalid_request","message":"m"}}"#.utf8))
        #expect(refusal.error.code == "invalid_request")
    }
}
