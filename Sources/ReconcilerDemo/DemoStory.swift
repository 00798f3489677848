import AsyncPrimitives
import ClipnetConfig
import ClipnetContracts
import Foundation
import PlatformEmulators
import Reconciler
import ServiceLifecycle
import StagingSandbox
import Synchronization

/// The demo's story, told while the daemon runs: each act changes the repository or asks for an
/// operator action exactly as a person would, then follows `/status` until the environment
/// settles, printing each rollout phase as it happens.
struct DemoStory: Service {
    let daemon: ReconcilerDaemon
    let sandbox: StagingSandbox
    let say: Narrator
    let quiet: Bool
    /// How long a person gets between acts to look at the page (scaled by `--pace`).
    let pause: Duration
    /// Wait for Enter between acts instead of `pause`.
    let step: Bool
    /// Yields once the status page listens: the story starts only after its URL is printed.
    let listening: AsyncStream<Int>
    /// The Slack messages already printed (ts → text), so each act shows what changed.
    private let shown = Shown()

    final class Shown: Sendable {
        let texts = Mutex<[String: String]>([:])
    }

    init(daemon: ReconcilerDaemon, sandbox: StagingSandbox, say: Narrator, quiet: Bool, pause: Duration, step: Bool, listening: AsyncStream<Int>) {
        self.daemon = daemon
        self.sandbox = sandbox
        self.say = say
        self.quiet = quiet
        self.pause = pause
        self.step = step
        self.listening = listening
    }

    func run() async throws {
        try await cancelWhenShuttingDown {
            for await _ in listening { break }
            let manifests = try sandbox.repository.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
            say.act(
                1,
                "The first commit holds CLIPNET's manifests. The reconciler rolls it out: API and worker together at one version tag, then the frontend."
            )
            try await follow(until: { $0.knownGood?.revision == manifests })
            guard !quiet else { return try await acceptCommits() }
            try await interlude()

            let feature = try sandbox.commit("Score clips with the new model", files: ["services/api/scoring.txt": "v2\n"])
            sandbox.github?.runCI(feature, taking: pause)
            say.act(
                2,
                "A developer merges \(CommitID.short(feature)) to develop. CI (build, test) runs first: the reconciler waits at the release gate, then the same phases again."
            )
            try await follow(until: { $0.knownGood?.revision == feature })
            try await interlude()

            let broken = try sandbox.commit("Upgrade ffmpeg in the worker image", files: ["services/worker/Dockerfile": "FROM broken\n"])
            sandbox.railway.failBuild(revision: broken, serviceId: sandbox.manifest.railway.services.worker.serviceId)
            say.act(
                3,
                "\(CommitID.short(broken)) breaks the worker build. The reconciler rolls the environment back to the known-good record, without rebuilding."
            )
            try await follow(until: { $0.rollout?.revision == broken && ["rolledBack", "failed"].contains($0.rollout?.phase ?? "") })
            if let failed = daemon.status().document.desired.failed {
                say.line("  → \(CommitID.short(broken)) is held back: \(failed.reason)")
            }
            say.line("  → The page shows the rolled-back state now: the failed revision held back, staging on the known-good record.")
            try await interlude(longer: true)

            say.act(4, "An operator pins \(CommitID.short(manifests)) (known-good): a re-point of the recorded deployments, no build.")
            _ = try await daemon.pin(manifests, reason: "demo: hold the first release", by: "demo", force: false)
            try await follow(until: { $0.rollout?.revision == manifests && $0.rollout?.phase == "succeeded" })
            let fix = try sandbox.commit("Pin ffmpeg to a working version", files: ["services/worker/Dockerfile": "FROM ffmpeg:6\n"])
            say.line("  → \(CommitID.short(fix)) lands on develop while pinned; staging stays at \(CommitID.short(manifests)).")
            try await interlude()

            say.act(5, "The operator unpins: staging follows develop again and rolls out \(CommitID.short(fix)).")
            try await daemon.unpin(reason: "demo: back to the branch", by: "demo")
            try await follow(until: { $0.knownGood?.revision == fix })

            if let github = sandbox.github {
                try await interlude()
                try sandbox.repository.git("checkout", "-q", "-b", "feature/uploader")
                let trial = try sandbox.commit("Try a resumable uploader", files: ["apps/web/uploader.txt": "resumable\n"])
                try sandbox.repository.git("checkout", "-q", sandbox.repository.branch)
                github.runCI(trial, taking: pause)
                let deployment = github.emulator.requestDeployment(sha: trial, environment: "staging", by: "tester", ref: "feature/uploader")
                say.act(
                    6,
                    "A tester asks GitHub to deploy \(CommitID.short(trial)) of feature/uploader to staging (deployment \(deployment)): "
                        + "the request marks that build, and the rollout is reported on the tester's own deployment.")
                try await follow(until: { $0.knownGood?.revision == trial })
                if let request = daemon.status().document.desired.request {
                    say.line(
                        "  → desired: \(CommitID.short(request.revision)), requested by \(request.by); develop stays at \(CommitID.short(fix)) meanwhile."
                    )
                }
                try await interlude()
                say.act(7, "The tester is done: `reconciler unmark` hands staging back to develop (\(CommitID.short(fix))), a re-point.")
                _ = try await daemon.unmark(reason: "demo: trial over", by: "demo")
                try await follow(until: { $0.knownGood?.revision == fix && $0.desired.request == nil })
            }

            say.blank()
            say.title("That is the product. The daemon keeps running; try pin, rollback, unpin with the CLI, or commit:")
            try await acceptCommits()
        }
    }

    /// Gives a person time to look: Enter with `--step`, else the paced pause.
    private func interlude(longer: Bool = false) async throws {
        if step {
            say.line("  (press Enter for the next act)")
            _ = await OffPool.run { readLine() }
        } else {
            try await Task.sleep(for: longer ? pause * 2 : pause)
        }
    }

    /// Tells a person how to add a commit of their own (the sandbox makes it known to the
    /// emulators, as a push would); the daemon keeps running after the story.
    private func acceptCommits() async throws {
        say.line("  git -C \(sandbox.repository.path) commit --allow-empty -m test")
        say.line("  (the emulators learn of each commit as if it had been pushed to GitHub)")
        say.line("Press Ctrl-C to stop.")
    }

    /// Prints phase changes until `done` holds for the status document.
    private func follow(until done: (StatusDocument) -> Bool) async throws {
        var last = ""
        while true {
            let status = daemon.status().document
            let phase = status.rollout.map { "\($0.phase) \(CommitID.short($0.revision))" } ?? "-"
            if phase != last {
                if let rollout = status.rollout {
                    let services = status.services.map { "\($0.name) \($0.status)" }.joined(separator: ", ")
                    say.line(
                        "  \(Narrator.clock())  \(rollout.phase.padding(toLength: 15, withPad: " ", startingAt: 0)) \(CommitID.short(rollout.revision))   \(services)"
                    )
                    if let error = rollout.error, ["rollingBack", "failed"].contains(rollout.phase) { say.line("             why: \(error)") }
                }
                last = phase
            }
            if done(status) { break }
            try await Task.sleep(for: .milliseconds(150))
        }
        let status = daemon.status().document
        say.line(
            "  \(Narrator.clock())  settled: known-good \(status.knownGood.map { CommitID.short($0.revision) } ?? "none"); "
                + status.services.map { "\($0.name) \($0.revision.map(CommitID.short) ?? "?")" }.joined(separator: ", "))
        try await showNotifications()
    }

    /// What the daemon told Slack (emulated) and the webhook during the act: each new or edited
    /// message once, in the state it ended in, with the replies in its thread.
    private func showNotifications() async throws {
        guard let notifications = sandbox.notifications else { return }
        // The notifier delivers just after the pass that settled: give it a moment.
        for _ in 0..<20 {
            if daemon.status().document.notifications?.allSatisfy({ $0.pending == 0 }) ?? true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(300))
        let changed = shown.texts.withLock { shown -> [SlackEmulator.Message] in
            let fresh = notifications.slack.messages.filter { shown[$0.ts] != $0.text }
            for message in fresh { shown[message.ts] = message.text }
            return fresh
        }
        if let github = sandbox.github, let last = github.emulator.deployments.last {
            let states = last.statuses.map(\.state).reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
            say.line("  GitHub deployment (emulated) of \(CommitID.short(last.ref)) to \(last.environment): \(states.joined(separator: " → "))")
        }
        guard !changed.isEmpty else { return }
        say.line("  Slack #staging-deploys (emulated), \(notifications.sink.accepted.count) signed webhook events so far:")
        for message in changed {
            let lines = message.text.split(separator: "\n").prefix(message.threadTS == nil ? 3 : 4)
            let edits = message.edits.isEmpty ? "" : "  (edited \(message.edits.count)×)"
            for (index, line) in lines.enumerated() {
                let lead = message.threadTS == nil ? (index == 0 ? "    ▸ " : "      ") : "      ↳ "
                say.line(lead + line + (index == 0 ? edits : ""))
            }
        }
    }

    private func cancelWhenShuttingDown(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask { try await gracefulShutdown() }
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Plain, unbuffered lines for the demo's story.
final class Narrator: Sendable {
    private let lock = Mutex(())

    func title(_ text: String) { write("== \(text)") }
    func act(_ number: Int, _ text: String) {
        write("")
        write("\(number). \(text)")
    }
    func item(_ text: String) { write("   - \(text)") }
    func line(_ text: String) { write(text) }
    func blank() { write("") }

    private func write(_ text: String) {
        lock.withLock { _ in FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
    }

    static func clock() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
