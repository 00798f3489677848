import Foundation
import GitWatch
import TestSupport
import Testing

/// The mirror keeps credentials out of its files and its folders private.
@Suite struct MirrorSecretsTests {
    @Test func credentialsInTheURLNeverReachTheMirrorsConfig() async throws {
        let runtime = try GitRuntime()
        let state = try TemporaryDirectory(prefix: "clipnet-state")
        let token = "ghp_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let url = "https://x-access-token:\(token)@github.invalid/clipnet/clipnet.git"
        let directory = GitMirror.defaultDirectory(stateDirectory: state.appending("state"), url: url)
        let mirror = try await GitMirror.open(url: url, directory: directory, runtime: runtime)

        let config = try String(contentsOfFile: (mirror.directory as NSString).appendingPathComponent("config"), encoding: .utf8)
        #expect(!config.contains(token))
        #expect(config.contains("https://github.invalid/clipnet/clipnet.git"))
        #expect(!mirror.displayURL.contains(token))
        #expect(!directory.contains(token))
    }

    @Test func aMirrorOpenedOnAnOldConfigWithCredentialsRewritesIt() async throws {
        let runtime = try GitRuntime()
        let state = try TemporaryDirectory(prefix: "clipnet-state")
        let directory = state.appending("mirror/old.git")
        let token = "tok_" + UUID().uuidString
        _ = try ChildProcess.run(["git", "init", "--bare", "-q", directory])
        _ = try ChildProcess.run(["git", "--git-dir", directory, "remote", "add", "origin", "https://u:\(token)@github.invalid/a/b.git"])

        _ = try await GitMirror.open(url: "https://u:\(token)@github.invalid/a/b.git", directory: directory, runtime: runtime)

        let config = try String(contentsOfFile: (directory as NSString).appendingPathComponent("config"), encoding: .utf8)
        #expect(!config.contains(token))
    }

    @Test func theMirrorCreatesItsFoldersReadableByItsOwnerOnly() async throws {
        let runtime = try GitRuntime()
        let root = try TemporaryDirectory(prefix: "clipnet-root")
        let stateDirectory = root.appending("state")
        let remote = try GitFixture()
        let directory = GitMirror.defaultDirectory(stateDirectory: stateDirectory, url: remote.path)
        _ = try await GitMirror.open(url: remote.path, directory: directory, runtime: runtime)

        for path in [stateDirectory, (directory as NSString).deletingLastPathComponent, directory] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
            #expect(mode & 0o077 == 0, "\(path) has mode \(String(mode, radix: 8))")
        }
    }
}
