public import PlatformEmulators

/// The sandbox's GitHub: an emulator of the repository's REST API, where tests and the demo set a
/// commit's CI checks as CI would, and where the daemon reports its deployments.
public struct SandboxGitHub: Sendable {
    public let emulator: GitHubEmulator
    public let server: EmulatorServer

    /// The checks the sandbox's release gate requires.
    public static let requiredChecks = ["build", "test"]

    static func start(repository: String) async throws -> SandboxGitHub {
        let emulator = GitHubEmulator(token: EmulatorIDs.prefixed("github_pat_"), repository: repository)
        return SandboxGitHub(emulator: emulator, server: try await emulator.start())
    }

    /// Both required checks of `sha` succeeded (what CI reports for a good commit).
    public func pass(_ sha: String) {
        for name in Self.requiredChecks { emulator.setCheckRun(sha: sha, name: name, status: "completed", conclusion: "success") }
    }

    /// What CI does with a push: both checks run now and complete after `duration`, successfully
    /// unless `failing` names one (it concludes `failure`).
    public func runCI(_ sha: String, taking duration: Duration, failing: String? = nil) {
        for name in Self.requiredChecks { emulator.setCheckRun(sha: sha, name: name, status: "in_progress") }
        let emulator = self.emulator
        Task {
            try? await Task.sleep(for: duration)
            for name in Self.requiredChecks {
                emulator.setCheckRun(sha: sha, name: name, status: "completed", conclusion: name == failing ? "failure" : "success")
            }
        }
    }

    /// The `github:` section of the sandbox daemon's configuration.
    var configuration: String {
        """
        github:
          apiURL: \(server.baseURL)
          repository: \(emulator.repository)
          requiredChecks: \(Self.requiredChecks.joined(separator: ", "))
          checkInterval: 1s
          deployments: true
          environmentURL: https://staging.clipnet.ai
          requestTask: deploy:request

        """
    }
}
