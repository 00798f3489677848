import AsyncPrimitives
import Foundation
import ReconcilerTestSupport
import TestSupport

/// Debian's `chromium`, headless, run as a child process off Swift's cooperative pool.
struct Chromium {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "chromium is not installed, so the status page cannot be checked in a browser: run `bash scripts/ensure-packages.sh` "
                + "(or `apt-get install chromium`); `make test` installs it"
        }
    }

    let executable: String

    static func locate() throws -> Chromium {
        for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return Chromium(executable: candidate)
        }
        throw Missing()
    }

    /// The DOM after the page loaded, serialised.
    func dumpDOM(_ url: String) async throws -> String {
        try await run(["--dump-dom", url])
    }

    func screenshot(_ url: String, to path: String, width: Int, height: Int) async throws {
        try? FileManager.default.removeItem(atPath: path)
        _ = try await run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(path)", url])
        guard FileManager.default.fileExists(atPath: path) else {
            throw ChildProcess.Failure(command: [executable, "--screenshot"], status: 0, output: "no screenshot written to \(path)")
        }
    }

    /// Each run gets its own profile folder (parallel runs would fight over one) and is bounded by
    /// `timeout`, so a hung browser fails the test instead of hanging it.
    private func run(_ arguments: [String]) async throws -> String {
        let profile = try TemporaryDirectory(prefix: "chromium-profile")
        let command =
            [
                executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--user-data-dir=\(profile.path)",
            ] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = profile.path
        let result = try await Spawn.run("/usr/bin/timeout", ["120"] + command, environment: environment)
        guard result.status == 0 else {
            throw ChildProcess.Failure(command: command, status: result.status, output: result.stderr)
        }
        return result.stdout
    }
}
