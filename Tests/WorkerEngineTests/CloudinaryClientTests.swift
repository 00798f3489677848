import ClipnetJSON
import Foundation
import HTTPTransport
import PlatformEmulators
import TestSupport
import Testing

@testable import WorkerEngine

/// The Cloudinary client against the loopback emulator: signed uploads, downloads, the folder
/// check, retries, and isolation at the call.
@Suite struct CloudinaryClientTests {
    static let folder = "staging_clips/"

    @Test func theSignatureMatchesCloudinarysPublishedExample() {
        // Cloudinary's "Generating authentication signatures" example (API secret "abcd").
        let parameters = [
            "eager": "w_400,h_300,c_pad|w_260,h_200,c_crop", "public_id": "sample_image", "timestamp": "1315060510",
            "api_key": "1234", "file": "ignored", "resource_type": "image", "cloud_name": "demo",
        ]
        #expect(
            CloudinarySignature.stringToSign(parameters) == "eager=w_400,h_300,c_pad|w_260,h_200,c_crop&public_id=sample_image&timestamp=1315060510")
        #expect(CloudinarySignature.sign(parameters, secret: "abcd", algorithm: .sha1) == "bfd09f95f331f558cbd1320e67aa8d488770583e")
    }

    @Test(arguments: [(true, false), (true, true), (false, false)])
    func aSignedUploadIsStoredUnderItsPublicIdAndDownloadsBack(_ dynamicFolders: Bool, _ sha256: Bool) async throws {
        let configuration = CloudinaryEmulator.Configuration(dynamicFolders: dynamicFolders, sha256Signatures: sha256)
        try await withCloudinaryEmulator(folder: Self.folder, configuration) { emulator, client in
            let directory = try TemporaryDirectory()
            let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            _ = FileManager.default.createFile(atPath: directory.appending("up.mp4"), contents: Data(bytes))
            let asset = CloudinaryAsset(mediaPath: Self.folder + "polished/c1.mp4")
            let uploaded = try await client.upload(file: directory.appending("up.mp4"), as: asset)
            #expect(uploaded.publicId == "staging_clips/polished/c1")
            #expect(uploaded.bytes == Int64(bytes.count))
            let stored = try #require(emulator.asset("staging_clips/polished/c1"))
            #expect(stored.bytes == bytes)
            #expect(stored.assetFolder == "staging_clips/polished")
            let size = try await client.download(asset, to: directory.appending("down.mp4"))
            #expect(size == bytes.count)
            #expect(FileManager.default.contents(atPath: directory.appending("down.mp4")) == Data(bytes))
        }
    }

    @Test func aWrongSecretIsRefusedAndNoSecretAppearsInTheError() async throws {
        let emulator = CloudinaryEmulator()
        emulator.createFolder("staging_clips")
        let server = try await emulator.start()
        defer { Task { await server.stop() } }
        let secret = "wrong-secret-that-must-not-leak"
        let client = CloudinaryClient(
            configuration: cloudinaryConfiguration(emulator, server, secret: secret),
            folder: MediaFolder(Self.folder), runtime: try CurlRuntime())
        let directory = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory.appending("f.mp4"), contents: Data([1, 2, 3]))
        let failure = try await #require(throws: JobFailure.self) {
            try await client.upload(file: directory.appending("f.mp4"), as: CloudinaryAsset(mediaPath: "staging_clips/x.mp4"))
        }
        #expect(failure.code == .permanent)
        #expect(failure.message.contains("401"))
        #expect(failure.message.contains("Invalid Signature"))
        #expect(!failure.message.contains(secret))
        #expect(!failure.message.contains(emulator.configuration.apiSecret))
        #expect(!"\(client.configuration)".contains(secret))
        #expect(emulator.uploads.isEmpty)
        let admin = await #expect(throws: JobFailure.self) { try await client.checkFolder() }
        #expect(admin.map { !$0.message.contains(secret) } ?? false)
    }

    @Test func theFolderCheckTellsAnExistingFolderFromAMissingOne() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { _, client in
            try await client.checkFolder()
        }
        try await withCloudinaryEmulator(folder: Self.folder, createFolder: false) { emulator, client in
            emulator.createFolder("prod_clips")
            let missing = try await #require(throws: CloudinaryFolderMissing.self) { try await client.checkFolder() }
            #expect(missing.description.contains("staging_clips/"))
            #expect(emulator.log.all.last?.status == 404)
        }
    }

    @Test func theWorkerReadsItsAccountThroughTheSharedParserAndChecksTheFolderWithIt() async throws {
        let emulator = CloudinaryEmulator()
        emulator.createFolder("staging_clips")
        let server = try await emulator.start()
        let account = emulator.configuration
        let configuration = try #require(
            try CloudinaryConfiguration.fromEnvironment([
                "CLOUDINARY_URL": "cloudinary://\(account.apiKey):\(account.apiSecret)@\(account.cloudName)",
                "CLOUDINARY_API_BASE_URL": server.baseURL + "/", "CLOUDINARY_FOLDER_MODE": "fixed",
            ]))
        #expect(configuration.cloudName == account.cloudName && configuration.apiKey == account.apiKey)
        #expect(configuration.apiBaseURL == server.baseURL)
        #expect(configuration.deliveryBaseURL == "https://res.cloudinary.com" && configuration.folderMode == .fixed)
        let client = CloudinaryClient(configuration: configuration, folder: MediaFolder(Self.folder), runtime: try CurlRuntime())
        let exists = try await client.folderExists()
        await server.stop()
        #expect(exists)
        #expect(try CloudinaryConfiguration.fromEnvironment(["CLOUDINARY_FOLDER": Self.folder]) == nil)
        let malformed = #expect(throws: JobFailure.self) {
            try CloudinaryConfiguration.fromEnvironment(["CLOUDINARY_URL": "https://k:never-shown@c"])
        }
        #expect(malformed?.code == .permanent)
        #expect(malformed?.message == "CLOUDINARY_URL is not cloudinary://<api key>:<api secret>@<cloud name>")
    }

    @Test func rateLimitsAndServerErrorsAreRetriedWithTheirResetTimes() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { emulator, client in
            emulator.seed(publicId: "staging_clips/raw/c1", bytes: [9, 9, 9])
            emulator.injectRateLimit420(1, reset: Date())
            emulator.faults.inject(.rateLimit(retryAfter: "0"), count: 1)
            emulator.faults.inject(.serverError(status: 503), count: 1)
            let directory = try TemporaryDirectory()
            #expect(try await client.download(CloudinaryAsset(mediaPath: "staging_clips/raw/c1.mp4"), to: directory.appending("c1.mp4")) == 3)
            #expect(emulator.log.all.map(\.status) == [429, 503, 420, 200])
        }
    }

    @Test func aMissingSourceIsAPermanentFailure() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { _, client in
            let directory = try TemporaryDirectory()
            let failure = try await #require(throws: JobFailure.self) {
                try await client.download(CloudinaryAsset(mediaPath: "staging_clips/raw/none.mp4"), to: directory.appending("x"))
            }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("not in Cloudinary"))
        }
    }

    @Test(arguments: ["prod_clips/raw/secret", "staging_clips/../prod_clips/raw/secret", "staging_clips/%2e%2e/prod_clips/raw/secret", "prod_clips"])
    func theClientRefusesAnyPublicIdOutsideItsFolderWithoutARequest(_ publicId: String) async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { emulator, client in
            let directory = try TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: directory.appending("f"), contents: Data([1]))
            let asset = CloudinaryAsset(publicId: publicId, resourceType: .video, format: "mp4")
            await #expect(throws: JobFailure.self) { try await client.download(asset, to: directory.appending("d")) }
            await #expect(throws: JobFailure.self) { try await client.upload(file: directory.appending("f"), as: asset) }
            #expect(throws: JobFailure.self) { try client.deliveryURL(asset) }
            #expect(emulator.log.all.isEmpty)
        }
    }
    /// The client with `maximumMediaBytes` lowered, against the same emulator.
    static func limited(_ client: CloudinaryClient, _ bytes: Int) throws -> CloudinaryClient {
        var configuration = client.configuration
        configuration.maximumMediaBytes = bytes
        return CloudinaryClient(configuration: configuration, folder: client.folder, runtime: try CurlRuntime())
    }

    @Test func aDownloadOverTheMediaLimitIsPermanentAndLeavesNoFile() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { emulator, client in
            emulator.seed(publicId: "staging_clips/raw/big", bytes: Array(repeating: 5, count: 2_000_000))
            let directory = try TemporaryDirectory()
            let failure = try await #require(throws: JobFailure.self) {
                try await Self.limited(client, 1_000_000).download(
                    CloudinaryAsset(mediaPath: "staging_clips/raw/big.mp4"), to: directory.appending("big.mp4"))
            }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("over the limit of 1000000 bytes (CLOUDINARY_MAX_MEDIA_BYTES)"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
            #expect(emulator.log.all.count == 1, "a refusal by size is not retried")
        }
    }

    @Test func anUploadOverTheMediaLimitIsRefusedWithoutARequest() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { emulator, client in
            let directory = try TemporaryDirectory()
            _ = FileManager.default.createFile(atPath: directory.appending("big.mp4"), contents: Data(count: 1_000_001))
            let failure = try await #require(throws: JobFailure.self) {
                try await Self.limited(client, 1_000_000).upload(
                    file: directory.appending("big.mp4"), as: CloudinaryAsset(mediaPath: "staging_clips/big.mp4"))
            }
            #expect(failure.code == .permanent)
            #expect(failure.message.contains("CLOUDINARY_MAX_MEDIA_BYTES"))
            #expect(emulator.log.all.isEmpty)
        }
    }

    @Test func aFailedDownloadRetriedAfterAServerErrorLeavesOnlyTheCompleteFile() async throws {
        try await withCloudinaryEmulator(folder: Self.folder) { emulator, client in
            let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            emulator.seed(publicId: "staging_clips/raw/r1", bytes: bytes)
            emulator.faults.inject(.serverError(status: 502), count: 2)
            let directory = try TemporaryDirectory()
            let path = directory.appending("r1.mp4")
            #expect(try await client.download(CloudinaryAsset(mediaPath: "staging_clips/raw/r1.mp4"), to: path) == bytes.count)
            #expect(FileManager.default.contents(atPath: path) == Data(bytes))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["r1.mp4"])
        }
    }
}
