import Foundation
import Logging
import PlatformEmulators
import ReconcilerTestSupport
import TestSupport
import Testing

/// What the command line says when the mistake is the operator's or the address's: a typo gets a
/// suggestion, an option a read does not record is refused, a server that is not a reconciler is
/// named as such (exit 3), and named tokens are issued, listed and revoked through the real binary.
@Suite struct CLIGuidanceTests {
    @Test(arguments: [("stauts", "status"), ("rollbak", "rollback"), ("histroy", "history"), ("tokn", "token")])
    func aMistypedCommandGetsASuggestionAndExit2(typo: String, suggestion: String) async throws {
        let run = try await CLIRun.plain([typo])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.hasPrefix("reconciler: unknown command '\(typo)' for 'reconciler'; did you mean '\(suggestion)'?"), "\(run)")
    }

    @Test func aMistypedSubcommandOfTokenIsNamedWithItsParent() async throws {
        let run = try await CLIRun.plain(["token", "isue", "alice"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.hasPrefix("reconciler: unknown command 'isue' for 'reconciler token'; did you mean 'issue'?"), "\(run)")
    }

    @Test(arguments: ["status", "history", "plan"])
    func readCommandsDoNotOfferBy(command: String) async throws {
        let run = try await CLIRun.run([command, "--by", "alice"])
        #expect(run.status == 2, "\(run)")
        #expect(run.stderr.hasPrefix("reconciler \(command): Unknown option '--by'"), "\(run)")
        let help = try await CLIRun.plain([command, "--help"])
        #expect(!help.stdout.contains("--by"), "\(help)")
    }

    @Test func aServerThatIsNotAReconcilerExitsWith3AndSaysSo() async throws {
        // Vercel's API answers 401/403 with the same {"error":{"code","message"}} shape as the reconciler.
        let emulator = try await EmulatorServer.start(
            EmulatorHost(platform: VercelEmulator(configuration: .init(token: "vercel-canary"))), name: "vercel-emulator")
        do {
            for arguments in [["status"], ["retry"], ["plan"]] {
                let run = try await CLIRun.run(arguments + ["--server", emulator.baseURL], environment: ["RECONCILER_TOKEN": "anything"])
                #expect(run.status == 3, "\(run)")
                #expect(run.stderr.contains("is not a reconciler"), "\(run)")
                #expect(!run.stderr.contains("refused"), "\(run)")
            }
        } catch {
            await emulator.stop()
            throw error
        }
        await emulator.stop()
    }

    @Test func tokensAreIssuedOnceListedWithoutSecretsAndRevoked() async throws {
        let path = NSTemporaryDirectory() + "cli-tokens-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let issued = try await CLIRun.plain(["token", "issue", "alice", "--role", "operator", "--file", path])
        #expect(issued.status == 0, "\(issued)")
        let token = issued.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("rcn_") && token.count == 47, "only the token on standard output: \(issued)")
        #expect(issued.stderr.contains("shown only this once") && issued.stderr.contains("kill -HUP"), "\(issued)")

        let again = try await CLIRun.plain(["token", "issue", "alice", "--role", "admin", "--file", path])
        #expect(again.status == 1 && again.stderr.contains("a token named 'alice' exists"), "\(again)")

        let badRole = try await CLIRun.plain(["token", "issue", "bob", "--role", "root", "--file", path])
        #expect(badRole.status == 2, "\(badRole)")

        let list = try await CLIRun.plain(["token", "list", "--file", path])
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.hasPrefix("NAME   ROLE      ISSUED"), "\(list)")
        #expect(list.stdout.contains("alice  operator"), "\(list)")
        let file = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!list.stdout.contains(token) && !file.contains(token))

        let revoked = try await CLIRun.plain(["token", "revoke", "alice", "--file", path])
        #expect(revoked.status == 0, "\(revoked)")
        let json = try await CLIRun.plain(["token", "list", "-o", "json", "--file", path])
        #expect(json.stdout.contains("\"revokedAt\""), "\(json)")
        #expect(!json.stdout.contains("sha256"), "\(json)")

        let unknown = try await CLIRun.plain(["token", "revoke", "carol", "--file", path])
        #expect(unknown.status == 1 && unknown.stderr.contains("no token named 'carol'; tokens: alice"), "\(unknown)")
        let noFile = try await CLIRun.plain(["token", "list"])
        #expect(noFile.status == 2 && noFile.stderr.contains("no token file"), "\(noFile)")
    }
}
