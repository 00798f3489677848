import ClipnetContracts
import Foundation
import TestSupport
import Testing

@testable import Deployers

/// What a platform echoes back never carries a secret, whole or in part, to a log or an answer.
@Suite struct SecretScrubberTests {
    /// A fake token in the shape of a real one (24 letters and digits).
    static let token = "Kq7Zp2Lw9Xv4Ty8Rb3Nm6Hc1"

    /// Every piece of `secret` of `length` characters.
    static func fragments(of secret: String, length: Int) -> [String] {
        let characters = Array(secret)
        return (0...(characters.count - length)).map { String(characters[$0..<($0 + length)]) }
    }

    @Test(arguments: [24, 20, 12, 8])
    func anEchoedPieceOfATokenIsRemoved(pieceLength: Int) {
        let scrubber = SecretScrubber([Self.token])
        for piece in Self.fragments(of: Self.token, length: pieceLength) {
            let scrubbed = scrubber.scrub("invalid token '\(piece)…' for team")
            for fragment in Self.fragments(of: Self.token, length: SecretScrubber.minimumFragment) {
                #expect(!scrubbed.contains(fragment), "a piece of \(pieceLength) leaked")
            }
            #expect(scrubbed.contains("<redacted>"))
            #expect(scrubbed.hasPrefix("invalid token '"))
        }
    }

    @Test func piecesShorterThanTheMinimumAndOrdinaryWordsStay() {
        let scrubber = SecretScrubber([Self.token])
        let short = String(Self.token.prefix(SecretScrubber.minimumFragment - 1))
        let text = "project clipnet-web not found near \(short)"
        #expect(scrubber.scrub(text) == text)
    }

    @Test func tokenShapedWordsOfUnknownOriginAreMaskedButCommitIdsStay() {
        let scrubber = SecretScrubber([])
        let commit = String(repeating: "a1", count: 20)
        let unknownToken = String(Self.token.reversed()) + "Q5"
        let scrubbed = scrubber.scrub("bad credentials \(unknownToken) for commit \(commit)")
        #expect(!scrubbed.contains(unknownToken))
        #expect(scrubbed.contains(commit))
    }

    @Test func theResultIsOneBoundedLine() {
        let scrubber = SecretScrubber([])
        let scrubbed = scrubber.scrub("first\nsecond\r\u{1B}[31m" + String(repeating: "x ", count: 2000))
        #expect(!scrubbed.contains("\n") && !scrubbed.contains("\r") && !scrubbed.contains("\u{1B}"))
        #expect(scrubbed.count <= SecretScrubber.maximumLength + 1)
    }

    /// Through the deployer: a Vercel answer that echoes the first 20 of the token's 24
    /// characters reaches the error message (what `/status` and the CLI show) without any of it.
    @Test func aPlatformEchoingPartOfTheTokenDoesNotLeakIt() async throws {
        let echoed = String(Self.token.prefix(20))
        let server = try LoopbackHTTPServer { _ in
            .respond(.json(#"{"error":{"code":"forbidden","message":"The token \#(echoed) is not valid"}}"#, status: 403))
        }
        defer { server.stop() }
        let configuration = VercelConfiguration(
            baseURL: server.baseURL, token: Self.token, teamId: Fixture.teamId, projectId: Fixture.vercelProject, projectName: "clipnet-web",
            gitOrg: Fixture.org, gitRepo: Fixture.repo, gitRef: "develop", alias: Fixture.alias, target: .preview,
            transport: Fixture.transport(maxAttempts: 1))
        let capture = CapturingLogHandler()
        let deployer = VercelDeployer(configuration: configuration, client: Fixture.client, logger: capture.logger)
        let error = await #expect(throws: DeployerError.self) { try await deployer.variables(of: .frontend) }
        let shown = [error.map { "\($0)" } ?? "", error?.message ?? "", capture.text]
        #expect(error?.message.contains("is not valid") == true)
        for text in shown {
            for fragment in Self.fragments(of: Self.token, length: SecretScrubber.minimumFragment) {
                #expect(!text.contains(fragment))
            }
        }
    }
}
