import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import Testing

/// Which platform events wake a pass: only those that may concern the rollout in flight, so a
/// team-wide Vercel webhook or a Railway project webhook (production's deploys too) costs staging
/// nothing.
@Suite struct PlatformEventTests {
    static func rollout(_ phase: RolloutPhase, _ deployments: ServiceDeployments, repointed: ServiceDeployments? = nil) -> RolloutRecord {
        var record = RolloutRecord(
            id: "ro-1", revision: String(repeating: "c", count: 40), phase: phase, startedAt: Date(), updatedAt: Date(), deployments: deployments)
        record.repointDeployments = repointed
        return record
    }

    static func event(_ platform: Platform, _ id: String?) -> PlatformEvent {
        PlatformEvent(platform: platform, type: "deployment.ready", deploymentID: id)
    }

    @Test func anEventAboutADeploymentOfTheRolloutConcernsIt() {
        let building = Self.rollout(.deployBackend, ServiceDeployments(frontend: "dpl_f", api: "rw-api", worker: "rw-worker"))
        #expect(Self.event(.railway, "rw-worker").concerns(building))
        #expect(Self.event(.vercel, "dpl_f").concerns(building))
        // The right id on the wrong platform is not one of the rollout's.
        #expect(!Self.event(.vercel, "rw-api").concerns(building))
    }

    @Test func anEventAboutAnotherDeploymentConcernsItOnlyWhileAnIdMayStillBeUnrecorded() {
        let allRecorded = Self.rollout(.deployBackend, ServiceDeployments(frontend: "dpl_f", api: "rw-api", worker: "rw-worker"))
        #expect(!Self.event(.railway, "rw-production").concerns(allRecorded))
        let workerPending = Self.rollout(.deployBackend, ServiceDeployments(api: "rw-api"))
        #expect(Self.event(.railway, "rw-new").concerns(workerPending))
        // Verifying: nothing is being created, so an unknown id is someone else's.
        let verifying = Self.rollout(.verifyBackend, ServiceDeployments(api: "rw-api"))
        #expect(!Self.event(.railway, "rw-new").concerns(verifying))
    }

    @Test func aRollbackDeploymentConcernsTheRolloutThatIssuedIt() {
        let known = ServiceDeployments(frontend: "dpl_old", api: "rw-old-api", worker: "rw-old-worker")
        let issuing = Self.rollout(.rollingBack, known, repointed: ServiceDeployments(api: "rw-rollback-api"))
        #expect(Self.event(.railway, "rw-rollback-api").concerns(issuing))
        #expect(Self.event(.railway, "rw-unknown").concerns(issuing))
        let issued = Self.rollout(
            .verifyRollback, known, repointed: ServiceDeployments(frontend: "dpl_old", api: "rw-rollback-api", worker: "rw-rollback-worker"))
        #expect(Self.event(.railway, "rw-rollback-worker").concerns(issued))
        #expect(!Self.event(.railway, "rw-unknown").concerns(issued))
    }

    @Test func withoutARolloutInFlightNothingConcernsIt() {
        var finished = Self.rollout(.succeeded, ServiceDeployments(api: "rw-api"))
        #expect(!Self.event(.railway, "rw-api").concerns(finished))
        finished.phase = .failed
        #expect(!Self.event(.railway, nil).concerns(finished))
        #expect(!Self.event(.vercel, "dpl_f").concerns(nil))
    }

    @Test func anEventWithoutADeploymentIdWakesAPassWhileARolloutIsInFlight() {
        #expect(Self.event(.railway, nil).concerns(Self.rollout(.verifyBackend, ServiceDeployments(api: "rw-api"))))
    }
}
