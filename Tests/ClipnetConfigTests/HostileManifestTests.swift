import Foundation
import TestSupport
import Testing

@testable import ClipnetConfig

/// Manifests built to hurt: each is refused with a `file:line:column` diagnostic naming the limit
/// it breaks, after bounded work, and a large but honest overlay still loads.
@Suite struct HostileManifestTests {
    static func evaluate(staging: String, limits: ManifestLimits = .defaults) throws -> ManifestEvaluation {
        try ManifestLoader.evaluate(
            environment: "staging", limits: limits,
            read: Fixtures.reader(["deploy/base.yaml": Fixtures.base, "deploy/staging.yaml": staging]))
    }

    /// The classic "billion laughs": nine levels of ten aliases each.
    static let billionLaughs: String = {
        var text = "environment: staging\nlol0: &lol0 [\"lol\"]\n"
        for level in 1...9 {
            let previous = (0..<10).map { _ in "*lol\(level - 1)" }.joined(separator: ", ")
            text += "lol\(level): &lol\(level) [\(previous)]\n"
        }
        return text
    }()

    static func limitDiagnostic(_ evaluation: ManifestEvaluation) -> Diagnostic? {
        evaluation.diagnostics.first { $0.code == .limit }
    }

    @Test func anAliasBombIsRefusedAtTheNodeLimit() throws {
        // Aliases within their own limit, so the expansion itself is what stops it.
        let evaluation = try Self.evaluate(staging: Self.billionLaughs)
        let refusal = try #require(Self.limitDiagnostic(evaluation), "\(evaluation.diagnostics)")
        #expect(evaluation.manifest == nil)
        #expect(refusal.location.file == "deploy/staging.yaml" && refusal.location.line > 0 && refusal.location.column > 0)
        #expect(refusal.message.contains("\(ManifestLimits.defaults.maximumNodes) nodes"), "\(refusal)")
    }

    @Test func tooManyAliasesAreRefusedBeforeParsing() throws {
        let count = ManifestLimits.defaults.maximumAliases + 1
        let aliases = (0..<count).map { _ in "*a" }.joined(separator: ", ")
        let evaluation = try Self.evaluate(staging: "environment: staging\nx: &a 1\ny: [\(aliases)]\n")
        let refusal = try #require(Self.limitDiagnostic(evaluation))
        #expect(refusal.location.line == 3)
        #expect(refusal.message.contains("aliases"), "\(refusal)")
    }

    @Test func deepFlowNestingIsRefusedBeforeTheParserRecurses() throws {
        let depth = 200_000
        let text = "environment: staging\nx: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let evaluation = try Self.evaluate(staging: text)
        let refusal = try #require(Self.limitDiagnostic(evaluation))
        #expect(refusal.location.line == 2)
        #expect(refusal.message.contains("\(ManifestLimits.defaults.maximumDepth) levels"), "\(refusal)")
    }

    @Test func deepBlockNestingIsRefused() throws {
        var text = "environment: staging\n"
        for level in 0..<(ManifestLimits.defaults.maximumDepth + 5) {
            text += String(repeating: " ", count: level) + "k\(level):\n"
        }
        let evaluation = try Self.evaluate(staging: text)
        let refusal = try #require(Self.limitDiagnostic(evaluation))
        #expect(refusal.location.line > 1)
        #expect(refusal.message.contains("levels"), "\(refusal)")
    }

    @Test func anOversizeFileIsRefusedUnread() throws {
        let limits = ManifestLimits.defaults
        let text = "environment: staging\n# " + String(repeating: "x", count: limits.maximumBytes) + "\n"
        let evaluation = try Self.evaluate(staging: text)
        let refusal = try #require(Self.limitDiagnostic(evaluation))
        #expect(refusal.message.contains("the limit is \(limits.maximumBytes) bytes"), "\(refusal)")
        #expect(refusal.description.hasPrefix("deploy/staging.yaml:1:1: "))
    }

    @Test func aLargeHonestOverlayLayersCompletely() throws {
        let count = 20_000
        var staging = "environment: staging\nfrontend:\n  variables:\n"
        for index in 0..<count { staging += "    KEY_\(index): value-\(index)\n" }
        let base = Fixtures.base.replacingOccurrences(
            of: "  repository: clipnet/clipnet\n",
            with: """
                  repository: clipnet/clipnet
                  variables:
                \((0..<count).map { "    KEY_\($0 * 2): base-\($0)" }.joined(separator: "\n"))

                """)
        let loaded = try ManifestLoader.load(
            environment: "staging",
            read: Fixtures.reader([
                "deploy/base.yaml": base, "deploy/staging.yaml": staging,
            ]))
        let variables = loaded.manifest.frontend.variables
        #expect(variables.count == count * 2 - count / 2)
        #expect(variables["KEY_2"] == .plain("value-2"))
        #expect(variables["KEY_\(count * 2 - 2)"] == .plain("base-\(count - 1)"))
    }

    @Test func limitsApplyToTheDaemonConfigurationToo() {
        let text = "environment: staging\nrepository:\n  url: x\n" + Self.billionLaughs.replacingOccurrences(of: "environment: staging\n", with: "")
        let error = #expect(throws: ConfigError.self) { try DaemonConfiguration.parse(text, file: "reconciler.yaml") }
        #expect(error?.diagnostics.contains { $0.code == .limit } == true)
    }
}

/// `reconciler validate` and the daemon read files through `ManifestFile`: whatever is at the
/// path, the error says what it is.
@Suite struct ManifestFileTests {
    static func message(reading path: String) -> String {
        do {
            _ = try ManifestFile.read(path)
            return "read"
        } catch let error as ConfigError {
            return error.diagnostics.first?.description ?? error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func eachKindOfUnreadableFileIsNamed() throws {
        let folder = try TemporaryDirectory()
        let directory = folder.appending("a-folder")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fifo = folder.appending("a-fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let zero = folder.appending("zero.yaml")
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        let loop = folder.appending("loop.yaml")
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        let dangling = folder.appending("dangling.yaml")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: folder.appending("nowhere"))
        let binary = folder.appending("binary.yaml")
        try Data([0x76, 0x3A, 0x20, 0x00, 0x01, 0x02]).write(to: URL(fileURLWithPath: binary))
        let latin1 = folder.appending("latin1.yaml")
        try Data("name: caf".utf8 + [0xE9] + Array("\n".utf8)).write(to: URL(fileURLWithPath: latin1))

        let cases: [(String, String)] = [
            (directory, "\(directory): is a folder; expected a YAML file"),
            (fifo, "\(fifo): is a FIFO (named pipe); expected a regular YAML file"),
            (zero, "\(zero): is a symbolic link to a character device; expected a regular YAML file"),
            (loop, "\(loop): is a symbolic link loop; expected a YAML file"),
            (dangling, "\(dangling): is a symbolic link to a missing file; expected a YAML file"),
            (binary, "\(binary):1:4: contains a NUL byte (binary data); expected UTF-8 text"),
            (latin1, "\(latin1):1:10: byte 0xE9 is not valid UTF-8; expected UTF-8 text"),
        ]
        for (path, expected) in cases {
            #expect(Self.message(reading: path) == expected)
        }
        #expect(try ManifestFile.read(folder.appending("absent.yaml")) == nil)
    }

    @Test func aFileOverTheSizeLimitIsRefusedBeforeReading() throws {
        let folder = try TemporaryDirectory()
        let path = folder.appending("big.yaml")
        let limits = ManifestLimits(maximumBytes: 1000, maximumAliases: 10, maximumNodes: 100, maximumDepth: 8)
        try Data(repeating: UInt8(ascii: "a"), count: 1001).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: ConfigError.self) { try ManifestFile.read(path, limits: limits) }
        #expect(error?.diagnostics.first?.description == "\(path): is a file of 1001 bytes; the limit is 1000 bytes")
    }
}
