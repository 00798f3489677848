public import ArgumentParser
import ClipnetConfig
import Foundation
import ReconcilerClient
import ReconcilerHTTP

/// `reconciler token issue|revoke|list`: the named operator tokens of the daemon's token file.
/// Works on the file directly (no daemon needed); the daemon loads changes on SIGHUP.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Issue, revoke and list named operator tokens (roles viewer, operator, admin).",
        discussion:
            "The file holds names, roles and SHA-256 digests, never tokens. After a change, send the daemon SIGHUP (kill -HUP <pid>) so it reloads the file.",
        subcommands: [TokenIssueCommand.self, TokenRevokeCommand.self, TokenListCommand.self])
}

/// Where the token file is: `--file`, else the configuration's `operatorTokensFile`, else
/// `$RECONCILER_TOKENS_FILE`.
struct TokenFileOptions: ParsableArguments {
    @Option(help: "The token file (default: operatorTokensFile of --config, else $RECONCILER_TOKENS_FILE).")
    var file: String?

    @Option(help: "A daemon configuration whose operatorTokensFile names the file.")
    var config: String?

    func path() throws -> String {
        if let file { return file }
        if let config {
            let configuration: DaemonConfiguration
            do {
                configuration = try DaemonConfiguration.load(path: config)
            } catch let error as ConfigError {
                printError("reconciler: \(error.description)")
                throw ExitCode(CLIExitCode.usage)
            }
            guard let path = configuration.operatorTokensFile else {
                printError(
                    "reconciler: \(config) sets no operatorTokensFile; add one (for example `operatorTokensFile: /etc/reconciler/operator-tokens.json`) or pass --file"
                )
                throw ExitCode(CLIExitCode.usage)
            }
            return path
        }
        if let path = ProcessInfo.processInfo.environment["RECONCILER_TOKENS_FILE"], !path.isEmpty { return path }
        printError("reconciler: no token file: pass --file, or --config with operatorTokensFile, or set RECONCILER_TOKENS_FILE")
        throw ExitCode(CLIExitCode.usage)
    }

    /// Runs `change` on the file and saves it; a problem (a name taken, a bad file) exits 1.
    func update<T>(_ change: (inout OperatorTokenFile) throws -> T) throws -> (T, String) {
        let path = try path()
        do {
            var file = try OperatorTokenFile.load(path: path, missingIsEmpty: true)
            let result = try change(&file)
            try file.save(path: path)
            return (result, path)
        } catch let problem as OperatorTokenFile.Problem {
            printError("reconciler: \(problem.description)")
            throw ExitCode(CLIExitCode.refused)
        }
    }
}

extension OperatorRole: ExpressibleByArgument {}

struct TokenIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Add a named token and print it once on standard output.",
        discussion: "Only the digest is stored; keep the printed token (it cannot be shown again). Send the daemon SIGHUP to load it.")

    @Argument(help: "The name history and metrics record for this token (a-z, 0-9, '.', '_', '-').")
    var name: String

    @Option(help: "viewer (reads the plan), operator (pin, unpin, rollback, retry, reconcile) or admin (also cleanup-preview).")
    var role: OperatorRole

    @OptionGroup var tokens: TokenFileOptions

    func validate() throws {
        do {
            try OperatorTokenFile.validateName(name)
        } catch let problem as OperatorTokenFile.Problem {
            throw ValidationError(problem.description)
        }
    }

    func run() async throws {
        let (token, path) = try tokens.update { try $0.issue(name: name, role: role) }
        printLine(token)
        printError(
            "reconciler: issued token '\(name)' (role \(role.rawValue)) in \(path); it is shown only this once. Reload the daemon: kill -HUP <pid>")
    }
}

struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a named token (kept in the file, marked revoked).")

    @Argument(help: "The token's name.")
    var name: String

    @OptionGroup var tokens: TokenFileOptions

    func run() async throws {
        let (_, path) = try tokens.update { try $0.revoke(name: name) }
        printLine("revoked '\(name)' in \(path); the daemon refuses it once reloaded: kill -HUP <pid>")
    }
}

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the named tokens: name, role, issued, revoked (never the tokens).")

    @OptionGroup var tokens: TokenFileOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let path = try tokens.path()
        let file: OperatorTokenFile
        do {
            file = try OperatorTokenFile.load(path: path)
        } catch let problem as OperatorTokenFile.Problem {
            printError("reconciler: \(problem.description)")
            throw ExitCode(CLIExitCode.refused)
        }
        if output.isJSON {
            // The digests stay in the file: a listing is for people and scripts, not for copying credentials.
            try output.printJSON(file.tokens.map { Listed(name: $0.name, role: $0.role.rawValue, issuedAt: $0.issuedAt, revokedAt: $0.revokedAt) })
            return
        }
        guard !file.tokens.isEmpty else { return printLine("no tokens in \(path)") }
        let rows = file.tokens.map { [$0.name, $0.role.rawValue, $0.issuedAt, $0.revokedAt ?? "-"] }
        printLine(TextTable(header: ["NAME", "ROLE", "ISSUED", "REVOKED"], rows: rows).render())
    }

    struct Listed: Encodable {
        var name: String
        var role: String
        var issuedAt: String
        var revokedAt: String?
    }
}
