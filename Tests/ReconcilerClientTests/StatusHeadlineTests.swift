import ClipnetContracts
import Foundation
import Reconciler
import ReconcilerClient
import ReconcilerTestSupport
import Testing

/// `reconciler status`'s first line comes from the same verdict as the status page's badge.
@Suite struct StatusHeadlineTests {
    static func document(_ change: (inout StatusDocument) -> Void) -> StatusDocument {
        var document = SampleEnvironment.document()
        document.rollout = nil
        document.drift = []
        document.desired.failed = nil
        document.blockedBy = nil
        document.lastReconcile = nil
        document.services = document.services.map {
            var service = $0
            service.healthy = true
            return service
        }
        change(&document)
        return document
    }

    static func firstLine(_ document: StatusDocument) -> String {
        String(StatusSummary.render(document).split(separator: "\n").first ?? "")
    }

    @Test func aBlockedDaemonIsBlockedNotInSync() {
        let blocked = Self.document { $0.blockedBy = "unresolved secret reference in the staging manifest: STAGING_NEXTAUTH_SECRET" }
        #expect(Self.firstLine(blocked) == "staging: blocked: unresolved secret reference in the staging manifest: STAGING_NEXTAUTH_SECRET")
        #expect(StatusVerdict(blocked).tone == "bad")
        #expect(!StatusSummary.render(blocked).contains("No drift.\n"), "no drift is not in sync while blocked")
    }

    @Test func aRefusalsCausesAreListedUnderTheHeadline() {
        let blocked = Self.document { $0.blockedBy = "unresolved secret references: A, B\nfile:1:1: A is not set\nfile:2:1: B is not set" }
        let lines = StatusSummary.render(blocked).split(separator: "\n").map(String.init)
        #expect(lines.first == "staging: blocked: unresolved secret references: A, B")
        #expect(lines.contains { $0.contains("cause") && $0.hasSuffix("file:1:1: A is not set") })
        #expect(lines.contains { $0.contains("cause") && $0.hasSuffix("file:2:1: B is not set") })
    }

    @Test func everyVerdictHasItsOwnFirstLine() {
        let cases: [(StatusDocument, String)] = [
            (Self.document { _ in }, "staging: in sync at "),
            (Self.document { $0.drift = [.init(kind: "alias", service: "frontend", detail: "x", policy: "heal")] }, "staging: drift (1)"),
            (Self.document { $0.services[0].healthy = false }, "staging: unhealthy: "),
            (
                Self.document { $0.desired.failed = .init(at: SampleEnvironment.now, reason: "build failed", phase: "deployBackend") },
                "staging: held back"
            ),
            (
                Self.document { $0.lastReconcile = .init(at: SampleEnvironment.now, result: "failed", durationMs: 1, step: "observe", message: "x") },
                "staging: reconcile failed"
            ),
        ]
        for (document, prefix) in cases {
            #expect(Self.firstLine(document).hasPrefix(prefix), "\(Self.firstLine(document))")
        }
    }

    @Test func anInventoryItemThatNeedsALookIsOneLineAndLeavesTheHeadlineAlone() {
        func item(_ state: StatusDocument.InventoryItem.State, _ detail: String) -> StatusDocument.InventoryItem {
            .init(name: "cloudinary folder", target: "staging_clips/", state: state, detail: detail, checkedAt: SampleEnvironment.now)
        }
        let missing = Self.document { $0.inventory = [item(.missing, "not in cloud clipnet")] }
        let lines = StatusSummary.render(missing).split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("  inventory") && $0.hasSuffix("  cloudinary folder staging_clips/ missing") }, "\(lines)")
        #expect(Self.firstLine(missing).hasPrefix("staging: in sync at "), "information only")
        let unknown = Self.document { $0.inventory = [item(.unknown, "Cloudinary refused the credentials of cloud clipnet (HTTP 401)")] }
        #expect(StatusSummary.render(unknown).contains("cloudinary folder staging_clips/ unknown: Cloudinary refused the credentials"))
        for quiet in [item(.exists, "exists in cloud clipnet"), item(.notConfigured, "no account")] {
            #expect(!StatusSummary.render(Self.document { $0.inventory = [quiet] }).contains("inventory"))
        }
    }
}
