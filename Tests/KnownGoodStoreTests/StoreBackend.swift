import ClipnetContracts
import Foundation
import KnownGoodStore
import TestSupport
import Testing

/// The backends the shared store suite runs against. Each test gets an isolated location (a temp
/// folder, or a unique environment name on the shared PostgreSQL), so tests run in parallel.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case file
    case postgres

    /// A store plus what a test needs to open a second, independent handle on the same data.
    struct Harness {
        let location: StateStoreLocation
        let environment: String
        let store: any StateStore
        /// Keeps the temp folder alive for the duration of the test.
        let directory: TemporaryDirectory?

        /// A second store on the same data, as a second process would open it.
        func reopen() async throws -> any StateStore {
            try await StoreFactory.make(location)
        }
    }

    func makeHarness() async throws -> Harness {
        let environment = "t-" + UUID().uuidString.prefix(8).lowercased()
        switch self {
        case .file:
            let directory = try TemporaryDirectory(prefix: "clipnet-state")
            let location = StateStoreLocation.file(directory: directory.path)
            return Harness(location: location, environment: environment, store: try await StoreFactory.make(location), directory: directory)
        case .postgres:
            // The shared throwaway server; the unique environment name keeps tests apart.
            let location = StateStoreLocation.postgres(url: try TestServices.postgresURL())
            return Harness(location: location, environment: environment, store: try await StoreFactory.make(location), directory: nil)
        }
    }

    var testDescription: String { rawValue }
}

/// A known-good record for revision `n` (a 40-hex id ending in n).
func record(_ n: Int, at date: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> KnownGoodRecord {
    let revision = String(repeating: "a", count: 32) + String(format: "%08x", n)
    return KnownGoodRecord(
        revision: revision, at: date.addingTimeInterval(Double(n)),
        deployments: ServiceDeployments(frontend: "dpl_\(n)", api: "api-\(n)", worker: "wrk-\(n)"))
}
