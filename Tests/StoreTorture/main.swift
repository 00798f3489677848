// store-torture: a child process for the store's crash and leadership tests.
//
//   store-torture write STATE_URL ENVIRONMENT
//     Writes to the store as fast as it can until it is killed (SIGKILL at random moments by
//     the test), so the test can check that every instant of a write leaves a readable,
//     consistent store. Each update records a new known-good revision derived from the
//     generation, and one history entry for it; the test checks those invariants after every
//     kill. Prints `ready` after the first committed write.
//
//   store-torture lead POSTGRES_URL ENVIRONMENT
//     Campaigns for the environment's leadership (LeaderElection) and stays alive; prints
//     `leader` when elected and `standby` when not (or no longer) leading.
import ClipnetContracts
import Foundation
import KnownGoodStore

let usage = "usage: store-torture write STATE_URL ENVIRONMENT | store-torture lead POSTGRES_URL ENVIRONMENT\n"
let arguments = CommandLine.arguments
guard arguments.count >= 4, ["write", "lead"].contains(arguments[1]) else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func write(stateURL: String, environment: String) async throws {
    let store = try await StoreFactory.make(StateStoreLocation(parsing: stateURL))
    var announced = false
    while true {
        try await store.update(environment: environment) { state in
            let revision = String(repeating: "0", count: 24) + String(format: "%016llx", UInt64(state.generation + 1))
            let record = KnownGoodRecord(
                revision: revision, at: Date(),
                deployments: ServiceDeployments(
                    frontend: "dpl_\(revision.suffix(6))", api: "api-\(state.generation)", worker: "wrk-\(state.generation)"))
            state.recordKnownGood(record)
            return [HistoryEntry(at: Date(), kind: .knownGood, revision: revision, by: "store-torture")]
        }
        if !announced {
            announced = true
            say("ready")
        }
    }
}

func lead(url: String, environment: String) async throws {
    // Short intervals: the tests wait for takeovers.
    let election = try LeaderElection(
        url: url, environment: environment,
        configuration: .init(retryInterval: .milliseconds(200), checkInterval: .milliseconds(500)))
    await withTaskGroup(of: Void.self) { group in
        group.addTask { await election.run() }
        for await event in election.events {
            switch event {
            case .leader: say("leader")
            case .standby: say("standby")
            }
        }
    }
}

switch arguments[1] {
case "write": try await write(stateURL: arguments[2], environment: arguments[3])
default: try await lead(url: arguments[2], environment: arguments[3])
}
