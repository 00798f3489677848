import AsyncPrimitives
import ClipnetConfig
import Foundation
import TestSupport
import Testing

/// The tarball `make dist` ships, unpacked into an empty folder and used from there
/// (docs/deploying.md). The release build is too slow for `make test`: the test takes
/// `.build/dist/*.tar.gz` when `make dist` made one (or `CLIPNET_DIST_TARBALL`), else packs this
/// build's debug binaries into the same layout (`scripts/make-dist.sh --debug`).
@Suite struct DistributionTarballTests {
    @Test func theTarballHoldsTheBinariesUnitsExampleConfigurationSchemaManifestsAndDocs() throws {
        let top = try Unpacked.shared.get().top
        let expected = [
            "VERSION", "bin/reconciler", "bin/clipnet-worker",
            "lib/systemd/system/reconciler.service", "lib/systemd/system/clipnet-worker.service",
            "etc/reconciler/reconciler.yaml", "etc/reconciler/daemon.env.example", "etc/clipnet-worker/worker.env.example",
            "share/clipnet/manifest.schema.json", "share/clipnet/deploy/base.yaml", "share/clipnet/deploy/staging.yaml",
            "share/clipnet/deploy/production.yaml", "share/doc/clipnet/deploying.md", "share/doc/clipnet/openapi.yaml",
            "share/doc/clipnet/RUNBOOK.md", "share/doc/clipnet/reconciler.md", "share/doc/clipnet/worker.md",
        ]
        for path in expected {
            #expect(FileManager.default.fileExists(atPath: top + "/" + path), "missing from the tarball: \(path)")
        }
        // Examples only: no secret, token file or webhook secret of whoever packed it.
        let all = try FileManager.default.subpathsOfDirectory(atPath: top)
        #expect(!all.contains { $0.hasSuffix("operator-tokens.json") || $0.hasSuffix(".env") }, "\(all)")
    }

    @Test func bothUnpackedBinariesPrintTheVersionAndCommitTheTarballNames() async throws {
        let unpacked = try Unpacked.shared.get()
        let stated = try String(contentsOfFile: unpacked.top + "/VERSION", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stated.wholeMatch(of: /0\.9\.0 \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/) != nil, "\(stated)")
        #expect(stated.hasPrefix(ClipnetVersion.current + " (commit "))
        if !unpacked.isDebug {
            #expect(!stated.contains("unknown"), "`make dist` stamps the commit: \(stated)")
        }
        for binary in ["reconciler", "clipnet-worker"] {
            let run = try await Unpacked.run(unpacked.top + "/bin/" + binary, ["--version"], in: unpacked)
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == stated, "\(binary): \(run)")
        }
    }

    @Test func theUnpackedReconcilerValidatesTheShippedManifests() async throws {
        let unpacked = try Unpacked.shared.get()
        let run = try await Unpacked.run(
            unpacked.top + "/bin/reconciler", ["validate", "--directory", unpacked.top + "/share/clipnet/deploy"], in: unpacked)
        #expect(run.status == 0, "\(run)")
    }

    @Test func theUnpackedWorkerPrintsItsHelp() async throws {
        let unpacked = try Unpacked.shared.get()
        let run = try await Unpacked.run(unpacked.top + "/bin/clipnet-worker", ["--help"], in: unpacked)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("USAGE: clipnet-worker"), "\(run)")
        #expect(run.stdout.contains("run"), "\(run)")
    }

    @Test func theExampleConfigurationLoadsWithItsPathsWhereTheUnitPutsThem() throws {
        let top = try Unpacked.shared.get().top
        let configuration = try DaemonConfiguration.load(path: top + "/etc/reconciler/reconciler.yaml")
        #expect(configuration.environment == "staging")
        #expect(configuration.state == "file:/var/lib/reconciler/", "the unit's StateDirectory=reconciler")
        let credentials = "/run/credentials/reconciler.service/"
        #expect(configuration.secretsFile == credentials + "staging.env")
        #expect(configuration.operatorTokensFile == credentials + "operator-tokens.json")
        #expect(configuration.counterpartFingerprintsFile == credentials + "production.fingerprints.json")
    }

    /// `systemd-analyze verify` checks that ExecStart's binary exists, so it verifies copies of the
    /// units whose ExecStart names the unpacked binary instead of /usr/local/bin.
    @Test func systemdAnalyzeVerifiesBothSandboxedUnits() async throws {
        let unpacked = try Unpacked.shared.get()
        guard let analyze = Spawn.resolve("systemd-analyze") else {
            Issue.record("systemd-analyze is not installed: run `bash scripts/ensure-packages.sh test` (it installs systemd)")
            return
        }
        let folder = try Unpacked.temporaryFolder("units")
        var paths: [String] = []
        for binary in ["reconciler", "clipnet-worker"] {
            let unit = try String(contentsOfFile: unpacked.top + "/lib/systemd/system/\(binary).service", encoding: .utf8)
            for option in [
                "DynamicUser=yes", "ProtectSystem=strict", "PrivateTmp=yes", "StateDirectory=\(binary)", "NoNewPrivileges=yes",
                "KillSignal=SIGTERM", "ExecStart=/usr/local/bin/\(binary) run",
            ] {
                #expect(unit.contains("\n" + option), "\(binary).service lacks \(option)")
            }
            let path = folder + "/\(binary).service"
            try unit.replacingOccurrences(of: "ExecStart=/usr/local/bin/\(binary)", with: "ExecStart=\(unpacked.top)/bin/\(binary)")
                .write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let reconcilerUnit = try String(contentsOfFile: paths[0], encoding: .utf8)
        #expect(reconcilerUnit.contains("\nExecReload=/bin/kill -HUP $MAINPID"))
        #expect(reconcilerUnit.contains("\nExecStart=\(unpacked.top)/bin/reconciler run --config /etc/reconciler/reconciler.yaml"))
        let run = try await Unpacked.run(analyze, ["verify"] + paths, in: unpacked)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.isEmpty && run.stderr.isEmpty, "verify warns: \(run)")
    }

    /// The shared libraries each binary loads are exactly those docs/deploying.md lists (the
    /// shipped copy), each one found. A release binary loads no Swift runtime library (it is
    /// linked in); a debug one loads them from the toolchain, which the list leaves out.
    @Test func eachBinaryNeedsExactlyTheSharedLibrariesTheDocsList() async throws {
        let unpacked = try Unpacked.shared.get()
        let docs = try String(contentsOfFile: unpacked.top + "/share/doc/clipnet/deploying.md", encoding: .utf8)
        for binary in ["reconciler", "clipnet-worker"] {
            let listed = Set(try Unpacked.documentedLibraries(of: binary, in: docs))
            #expect(!listed.isEmpty, "deploying.md lists no libraries for \(binary)")
            let run = try await Unpacked.run("/usr/bin/ldd", [unpacked.top + "/bin/" + binary], in: unpacked)
            #expect(run.status == 0, "\(run)")
            #expect(!run.stdout.contains("not found"), "\(binary): \(run.stdout)")
            var loaded: Set<String> = []
            for line in run.stdout.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let name = fields.first, !name.hasPrefix("linux-vdso") else { continue }
                let resolved = fields.count >= 3 && fields[1] == "=>" ? fields[2] : name
                let isSwiftRuntime = resolved.contains("/lib/swift/linux/")
                if isSwiftRuntime {
                    #expect(unpacked.isDebug, "a release binary loads the Swift runtime dynamically: \(line)")
                    continue
                }
                loaded.insert((name as NSString).lastPathComponent)
            }
            #expect(loaded == listed, "\(binary): ldd finds \(loaded.sorted()), deploying.md lists \(listed.sorted())")
        }
    }
}

/// The tarball under test, unpacked once per run into an empty temporary folder.
struct Unpacked: Sendable {
    /// The unpacked tarball's single top folder (`clipnet-<version>[-debug]-linux-<arch>`).
    let top: String
    let isDebug: Bool

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let shared: Result<Unpacked, Failure> = Result { try unpack() }.mapError { Failure(description: "\($0)") }

    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func tarball() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["CLIPNET_DIST_TARBALL"], !given.isEmpty { return given }
        let release = repository + "/.build/dist"
        let made = ((try? FileManager.default.contentsOfDirectory(atPath: release)) ?? [])
            .filter { $0.hasPrefix("clipnet-") && $0.hasSuffix(".tar.gz") }.sorted()
        if let last = made.last { return release + "/" + last }
        let packed = try Spawn.runBlocking(
            "/bin/bash", [repository + "/scripts/make-dist.sh", "--debug", "--bin-dir", ChildProcess.productsDirectory.path],
            environment: environment)
        guard packed.status == 0, let path = packed.stdout.split(separator: "\n").last.map(String.init) else {
            throw Failure(description: "scripts/make-dist.sh --debug failed: \(packed)")
        }
        return path
    }

    static func unpack() throws -> Unpacked {
        let tarball = try tarball()
        let folder = try temporaryFolder("unpacked")
        guard try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty else {
            throw Failure(description: "\(folder) is not empty")
        }
        let untar = try Spawn.runBlocking("/bin/tar", ["-xzf", tarball, "-C", folder], environment: ProcessInfo.processInfo.environment)
        guard untar.status == 0 else { throw Failure(description: "tar -xzf \(tarball): \(untar)") }
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        guard entries.count == 1, let name = entries.first else {
            throw Failure(description: "the tarball must hold one top folder, holds \(entries)")
        }
        return Unpacked(top: folder + "/" + name, isDebug: name.contains("-debug-"))
    }

    static func temporaryFolder(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "clipnet-dist-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a program with a minimal environment, from a working folder outside the repository,
    /// so nothing of the build tree can stand in for what the tarball lacks.
    static func run(_ executable: String, _ arguments: [String], in unpacked: Unpacked) async throws -> Spawn.Result {
        let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": unpacked.top, "LANG": "C.UTF-8"]
        return try await Spawn.run(
            "/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", unpacked.top, executable] + arguments,
            environment: environment)
    }

    /// The library names of one binary's list in deploying.md: the first backquoted name of each
    /// table row between `<!-- ldd BINARY -->` and `<!-- /ldd -->`.
    static func documentedLibraries(of binary: String, in docs: String) throws -> [String] {
        guard let start = docs.range(of: "<!-- ldd \(binary) -->"),
            let end = docs.range(of: "<!-- /ldd -->", range: start.upperBound..<docs.endIndex)
        else {
            throw Failure(description: "deploying.md has no `<!-- ldd \(binary) -->` list")
        }
        return docs[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `") else { return nil }
            return line.dropFirst(3).split(separator: "`").first.map(String.init)
        }
    }
}
