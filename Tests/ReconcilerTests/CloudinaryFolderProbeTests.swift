import ClipnetConfig
import HTTPTransport
import PlatformEmulators
import Reconciler
import TestSupport
import Testing

/// The reconciler's check of the worker's Cloudinary folder against the loopback emulator: the
/// Admin API request the worker itself sends at start-up, and answers that never carry the secret.
@Suite struct CloudinaryFolderProbeTests {
    static func account(_ emulator: CloudinaryEmulator, secret: String? = nil, apiBaseURL: String? = nil) -> CloudinaryAccount {
        CloudinaryAccount(
            cloudName: emulator.configuration.cloudName, apiKey: emulator.configuration.apiKey,
            apiSecret: SecretValue(name: "CLOUDINARY_URL", value: secret ?? emulator.configuration.apiSecret), apiBaseURL: apiBaseURL)
    }

    static func probes(_ apiURL: String?) throws -> ServiceProbes {
        ServiceProbes(client: HTTPClient(runtime: try CurlRuntime()), timeout: .seconds(5), cloudinaryAPIURL: apiURL)
    }

    /// Runs `body` with an emulator (the folder created when `folder` is given) on loopback.
    static func withEmulator(folder: String?, _ body: (CloudinaryEmulator, EmulatorServer) async throws -> Void) async throws {
        let emulator = CloudinaryEmulator()
        if let folder { emulator.createFolder(folder) }
        let server = try await emulator.start()
        do {
            try await body(emulator, server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test func anExistingFolderIsReportedFromTheWorkersOwnAdminAPIRequest() async throws {
        try await Self.withEmulator(folder: "staging_clips") { emulator, server in
            let result = try await Self.probes(server.baseURL).cloudinaryFolder("staging_clips/", account: Self.account(emulator))
            #expect(result == .reported(.exists))
            let request = try #require(emulator.log.all.last)
            #expect(request.method == "GET")
            #expect(request.path == "/v1_1/\(emulator.configuration.cloudName)/folders/staging_clips")
            #expect(request.queryValue("max_results") == "1")
            #expect(request.headers["authorization"]?.hasPrefix("Basic ") == true)
        }
    }

    @Test func aFolderTheAdminAPIAnswers404ForIsMissing() async throws {
        try await Self.withEmulator(folder: "prod_clips") { emulator, server in
            let result = try await Self.probes(server.baseURL).cloudinaryFolder("staging_clips/", account: Self.account(emulator))
            #expect(result == .reported(.missing))
        }
    }

    @Test func refusedCredentialsFailTheCheckWithoutTheSecretInTheMessage() async throws {
        try await Self.withEmulator(folder: "staging_clips") { emulator, server in
            let wrong = "wrong-secret-canary-5f1c2e9a"
            let result = try await Self.probes(server.baseURL).cloudinaryFolder("staging_clips/", account: Self.account(emulator, secret: wrong))
            let message = try #require(result.failure)
            #expect(message.contains("refused the credentials"), "\(message)")
            #expect(message.contains("401"))
            #expect(!message.contains(wrong) && !message.contains(emulator.configuration.apiSecret))
        }
    }

    @Test func anUnreachableAdminAPIFailsTheCheckWithoutTheSecretInTheMessage() async throws {
        let emulator = CloudinaryEmulator()
        let port = try UnusedLoopbackPort.make()
        let result = try await Self.probes("http://127.0.0.1:\(port)").cloudinaryFolder("staging_clips/", account: Self.account(emulator))
        let message = try #require(result.failure)
        #expect(message.contains("unreachable"), "\(message)")
        #expect(!message.contains(emulator.configuration.apiSecret))
    }

    @Test func withoutTheDaemonsOverrideTheWorkersOwnAPIBaseIsAsked() async throws {
        try await Self.withEmulator(folder: "staging_clips") { emulator, server in
            let account = Self.account(emulator, apiBaseURL: server.baseURL)
            let result = try await Self.probes(nil).cloudinaryFolder("staging_clips", account: account)
            #expect(result == .reported(.exists))
            #expect(emulator.log.all.count == 1)
        }
    }
}
