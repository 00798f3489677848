import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import Foundation
import KnownGoodStore
import Reconciler
import ReconcilerTestSupport
import TestSupport
import Testing

/// The command line's formats and first-run errors, through the real `reconciler` binary.
@Suite struct CLIOutputTests {
    @Test func versionIsPrinted() async throws {
        let run = try await Spawn.run(ChildProcess.productPath("reconciler"), ["--version"], environment: [:])
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == ClipnetVersion.described)
    }

    @Test func historyAndPlanPrintTheAPIsDocumentsWithDashOJSON() async throws {
        try await CLICommandTests.withServer { _, _, environment in
            let history = try await CLIRun.run(["history", "-o", "json"], environment: environment)
            #expect(history.status == 0, "\(history)")
            let entries = try StatusDocument.decoder().decode(HistoryBody.self, from: Data(history.stdout.utf8)).entries
            #expect(!entries.isEmpty)
            let plan = try await CLIRun.run(["plan", "--json"], environment: environment)
            #expect(plan.status == 0, "\(plan)")
            let document = try StatusDocument.decoder().decode(PlanDocument.self, from: Data(plan.stdout.utf8))
            #expect(document.environment == "staging")
            let status = try await CLIRun.run(["status", "-o", "json"], environment: environment)
            #expect(try StatusDocument.decoder().decode(StatusDocument.self, from: Data(status.stdout.utf8)).environment == "staging")
        }
    }

    @Test func aBusyPortIsNamedAtOnceAndTheDemoDoesNotStart() async throws {
        let holder = try LoopbackHTTPServer(handler: { _ in .respond(.text("taken")) })
        let run = try await Spawn.run(
            ChildProcess.productPath("reconciler-demo"), ["--port", "\(holder.port)"], environment: ProcessInfo.processInfo.environment)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("127.0.0.1:\(holder.port) is already in use by another process"), "\(run)")
        #expect(run.stderr.contains("make run"), "the hint names how to choose another port: \(run)")
        #expect(!run.stdout.contains("Setting up"), "nothing was set up: \(run)")
    }
}

private struct HistoryBody: Decodable { var entries: [HistoryEntry] }
