// store-torture: a child process for the store's crash tests. It writes to the store as fast as
// it can until it is killed (SIGKILL at random moments by the test), so the test can check that
// every instant of a write leaves a readable, consistent store.
//
//   store-torture write STATE_URL ENVIRONMENT
//
// Each update records a new known-good revision derived from the generation, and one history
// entry for it; the test checks those invariants after every kill.
import Foundation
import KnownGoodStore

let arguments = CommandLine.arguments
guard arguments.count >= 4, arguments[1] == "write" else {
    FileHandle.standardError.write(Data("usage: store-torture write STATE_URL ENVIRONMENT\n".utf8))
    exit(64)
}

let store = try await StoreFactory.make(StateStoreLocation(parsing: arguments[2]))
let environment = arguments[3]
var announced = false
while true {
    try await store.update(environment: environment) { state in
        let revision = String(repeating: "0", count: 24) + String(format: "%016llx", UInt64(state.generation + 1))
        let record = KnownGoodRecord(
            revision: revision, at: Date(),
            deployments: ServiceDeployments(frontend: "dpl_\(revision.suffix(6))", api: "api-\(state.generation)", worker: "wrk-\(state.generation)"))
        state.recordKnownGood(record)
        return [HistoryEntry(at: Date(), kind: .knownGood, revision: revision, by: "store-torture")]
    }
    if !announced {
        announced = true
        FileHandle.standardOutput.write(Data("ready\n".utf8))
    }
}
