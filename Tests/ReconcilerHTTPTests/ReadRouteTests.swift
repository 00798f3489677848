import ClipnetContracts
import ClipnetJSON
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KnownGoodStore
import Reconciler
import ReconcilerTestSupport
import Testing

@Suite struct ReadRouteTests {
    @Test func healthzAnswersOK() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.json == ["status": "ok"])
        }
    }

    @Test func statusServesTheDaemonsDocumentInItsOwnEncoding() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let response = try await client.execute(uri: "/status", method: .get)
            #expect(response.status == .ok)
            #expect(response.contentType == "application/json; charset=utf-8")
            let decoded = try StatusDocument.decoder().decode(StatusDocument.self, from: Data(response.body.readableBytesView))
            #expect(decoded == control.status().document)
            #expect(response.text == String(decoding: try StatusDocument.encoder().encode(control.status().document), as: UTF8.self))
            #expect(decoded.desired.revision == SampleEnvironment.head)
        }
    }

    @Test func statusFollowsEachNewVersionOfTheDocument() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let before = try await client.execute(uri: "/status", method: .get).json
            #expect(before?["drift"]?.arrayValue?.count == 2)
            control.update { $0.drift = [] }
            let after = try await client.execute(uri: "/status", method: .get).json
            #expect(after?["drift"]?.arrayValue?.isEmpty == true)
            let again = try await client.execute(uri: "/status", method: .get).json
            #expect(again == after)
        }
    }

    @Test func readyzIs200WhenEveryCheckPassesAnd503Otherwise() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.json?["ready"] == true)

            control.update { $0.readiness = Readiness(checks: [.init(name: "store", ok: false, detail: "state store did not answer")]) }
            let notReady = try await client.execute(uri: "/readyz", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            #expect(notReady.json?["ready"] == false)
            #expect(notReady.json?["checks"]?.arrayValue?.first?["detail"] == "state store did not answer")
        }
    }

    @Test func historyIsNewestFirstAndBoundedByLimit() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/history?limit=3", method: .get)
            #expect(response.status == .ok)
            let entries = try #require(response.json?["entries"]?.arrayValue)
            #expect(entries.count == 3)
            let sequences = entries.compactMap { $0["sequence"]?.numberValue }
            #expect(sequences == sequences.sorted(by: >))
            #expect(sequences.first == 11)

            let all = try await client.execute(uri: "/history", method: .get)
            #expect(all.json?["entries"]?.arrayValue?.count == 11)
        }
    }

    @Test(arguments: ["0", "-1", "1001", "ten", "2.5", ""])
    func historyRefusesALimitOutsideOneToAThousand(limit: String) async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/history?limit=\(limit)", method: .get)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_request")
        }
    }

    @Test func historyUnavailableIsA503WithTheDaemonsMessage() async throws {
        let control = FakeReconcilerControl()
        control.fail(.history, with: OperatorError(.unavailable, "the state store cannot be reached"))
        try await Harness.test(control: control) { client in
            let response = try await client.execute(uri: "/history", method: .get)
            #expect(response.status == .serviceUnavailable)
            #expect(response.errorCode == "unavailable")
            #expect(response.headers[.retryAfter] != nil)
        }
    }

    @Test func planIsReadOnlyAndDescribesTheRollout() async throws {
        let control = FakeReconcilerControl()
        try await Harness.test(control: control) { client in
            let version = control.version
            let response = try await client.execute(uri: "/plan", method: .get, headers: Harness.authorized)
            #expect(response.status == .ok)
            #expect(response.json?["desiredRevision"]?.stringValue == SampleEnvironment.head)
            #expect(response.json?["actions"]?.arrayValue?.first?["action"] == "syncVariables")
            #expect(control.version == version)
            #expect(control.calls.isEmpty)
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await Harness.test { client in
            let response = try await client.execute(uri: "/status", method: .head)
            #expect(response.status == .ok)
            #expect(response.body.readableBytes == 0)
        }
    }

    @Test func aTrailingSlashNamesTheSameRoute() async throws {
        try await Harness.test { client in
            let status = try await client.execute(uri: "/status/", method: .get).status
            #expect(status == .ok)
        }
    }
}
