import Foundation
import Reconciler
import TestSupport
import Testing

/// `/readyz` with PostgreSQL frozen or stopped under a running daemon: it answers (not ready,
/// naming the store) instead of blocking, and is ready again once PostgreSQL is back.
@Suite struct StoreReadinessScenarioTests {
    @Test func readinessAnswersWhilePostgresIsFrozenOrStoppedAndRecovers() async throws {
        let upstream = try #require(URLComponents(string: try TestServices.postgresURL())?.port)
        let proxy = try FreezableTCPProxy(upstreamPort: upstream)
        try await Scenario.with(
            store: .postgres,
            configure: { text in
                text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    line.hasPrefix("state: postgres") ? "state: " + proxy.routing(String(line.dropFirst("state: ".count))) : String(line)
                }.joined(separator: "\n")
            }
        ) { world in
            try world.commit("First")
            try await world.settle()
            #expect(await world.daemon.readiness().ready)

            proxy.freeze()
            // Each answer comes back (a frozen store used to block /readyz for as long as it
            // stayed frozen), and a second one does not wait behind the first.
            for _ in 0..<2 {
                let frozen = await world.daemon.readiness()
                #expect(!frozen.ready)
                #expect(frozen.checks.first { $0.name == "store" }?.ok == false, "\(frozen.checks)")
            }

            proxy.thaw()
            #expect(
                await eventually(within: .seconds(60)) { await world.daemon.readiness().checks.first { $0.name == "store" }?.ok == true },
                "ready again once PostgreSQL answers")

            proxy.stop()
            let stopped = await world.daemon.readiness()
            #expect(!stopped.ready)
            #expect(stopped.checks.first { $0.name == "store" }?.detail.contains("cannot be written") == true)
        }
    }
}
