import ClipnetContracts
import Foundation
import Testing

/// Services, platforms and commit ids: the words every module shares.
@Suite struct ServiceContractTests {
    @Test func everyServiceHasOnePlatformAndEveryPlatformHostsAService() {
        #expect(ServiceName.frontend.platform == .vercel)
        #expect(ServiceName.api.platform == .railway && ServiceName.worker.platform == .railway)
        for platform in Platform.allCases {
            #expect(!ServiceName.hosted(on: platform).isEmpty, "\(platform) hosts nothing")
        }
        #expect(Platform.allCases.flatMap(ServiceName.hosted(on:)).sorted() == ServiceName.allCases)
    }

    @Test func theBackendIsEveryServiceButTheFrontendInRolloutOrder() {
        #expect(ServiceName.backend == [.api, .worker])
        #expect(ServiceName.allCases.sorted() == [.frontend, .api, .worker])
    }

    @Test func deploymentsAreReadAndWrittenPerService() throws {
        var deployments = ServiceDeployments()
        for service in ServiceName.allCases { deployments[service] = "id-\(service)" }
        #expect(deployments == ServiceDeployments(frontend: "id-frontend", api: "id-api", worker: "id-worker"))
        #expect(deployments.summary == "frontend id-frontend, api id-api, worker id-worker")
        let json = String(decoding: try ContractJSON.encoder().encode(ServiceDeployments(api: "a")), as: UTF8.self)
        #expect(json == #"{"api":"a"}"#)
    }

    @Test func aShortIdMatchesTheFullIdItPrefixesIgnoringCase() {
        let full = "4f2c9a1e0b7d3c5a8e6f1d2c3b4a59687766554a"
        #expect(CommitID.same(full, "4F2C9A1"))
        #expect(CommitID.same("4f2c9a1e0b7d", full))
        #expect(CommitID.same(full, full.uppercased()))
        #expect(!CommitID.same(full, "4f2c9a"), "six characters are too few to match by prefix")
        #expect(CommitID.same("4f2c9a", "4f2c9a"), "equal short ids still match")
        #expect(!CommitID.same(full, "4f2c9a2"))
        #expect(!CommitID.same(nil, full) && !CommitID.same(full, nil) && !CommitID.same(nil, nil))
    }

    @Test func aCommitIdIsFortyHexDigitsStoredLowercase() throws {
        let id = try #require(CommitID("4F2C9A1E0B7D3C5A8E6F1D2C3B4A59687766554A"))
        #expect(id.hex == "4f2c9a1e0b7d3c5a8e6f1d2c3b4a59687766554a" && id.short == "4f2c9a1e0b7d")
        #expect(CommitID("4f2c9a1") == nil && CommitID(String(repeating: "g", count: 40)) == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CommitID].self, from: Data(#"["abc"]"#.utf8)) }
    }
}
