import AsyncPrimitives
import ClipnetContracts
import Foundation
import HTTPTransport
import Reconciler
import Synchronization
import TestSupport
import Testing

/// `reconciler-demo` as a newcomer meets it, through the real binary: the page's URL comes before
/// the story, and the closing suggestion (a plain `git commit` into the demo's repository) rolls out.
@Suite(.serialized) struct DemoStoryTests {
    @Test func theURLComesFirstAndACommitMadeWithGitRollsOut() async throws {
        let port = try UnusedLoopbackPort.make()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let demo = try KillableChild(
            executable: ChildProcess.productPath("reconciler-demo"),
            arguments: ["--port", "\(port)", "--pace", "0.1", "--manifests", packageRoot + "/deploy"])
        let seen = Mutex("")
        do {
            try await demo.output { text in
                seen.withLock { $0 = text }
                return text.contains("Press Ctrl-C to stop.")
            }
            let text = seen.withLock { $0 }
            let url = try #require(text.range(of: "Status page: http://127.0.0.1:\(port)/"))
            let firstAct = try #require(text.range(of: "1. The first commit"))
            #expect(url.lowerBound < firstAct.lowerBound, "the page's URL is printed before the story starts")
            #expect(text.contains("rolled-back state"), "act 3 says what the page shows")
            // The messages the daemon would have sent: one per rollout, the failed one with its thread.
            #expect(text.contains("Slack #staging-deploys (emulated)"), "the demo shows its notifications")
            #expect(text.contains(":white_check_mark: *staging* runs"), "a rollout's message in its final state")
            #expect(text.contains(":leftwards_arrow_with_hook: *staging* rollout of `"), "the failed rollout's message")
            #expect(text.contains("↳ *worker* deployment"), "the failed build's lines in its thread")
            // The release gate holds each commit until its (emulated) CI passed; GitHub shows the deployments.
            #expect(text.contains("checkGate"), "a commit waits at the release gate")
            #expect(text.contains("GitHub deployment (emulated) of") && text.contains("queued → in_progress → success"))
            // A deployment request on GitHub marks a feature build; unmark hands staging back.
            #expect(text.contains("6. A tester asks GitHub to deploy") && text.contains("requested by github:tester"), "\(text)")
            #expect(text.contains("7. The tester is done"))

            // The suggestion, followed to the letter.
            let line = try #require(text.split(separator: "\n").first { $0.contains("commit --allow-empty -m test") })
            let words = line.split(separator: " ").map(String.init)
            let repository = try #require(words.firstIndex(of: "-C").map { words[$0 + 1] })
            let commit = try await Spawn.run(
                "/usr/bin/env",
                [
                    "git", "-C", repository, "-c", "user.name=Newcomer", "-c", "user.email=new@clipnet.invalid", "commit", "--allow-empty", "-m",
                    "test",
                ], environment: ProcessInfo.processInfo.environment)
            #expect(commit.status == 0, "\(commit)")
            let head = try await Spawn.run("/usr/bin/env", ["git", "-C", repository, "rev-parse", "HEAD"], environment: [:])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            let client = HTTPClient(runtime: try CurlRuntime())
            let rolledOut = await eventually(within: .seconds(90)) {
                guard let status = try? await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/status")),
                    let document = try? StatusDocument.decoder().decode(StatusDocument.self, from: Data(status.body))
                else { return false }
                return document.knownGood?.revision == head
            }
            #expect(rolledOut, "the commit made with plain git rolled out")
            let status = try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/status"))
            let document = try StatusDocument.decoder().decode(StatusDocument.self, from: Data(status.body))
            #expect(document.desired.failed == nil && document.rollout?.revision == head && document.rollout?.phase == "succeeded", "\(status.text)")
        } catch {
            _ = await demo.stop()
            throw error
        }
        _ = await demo.stop()
    }
}
