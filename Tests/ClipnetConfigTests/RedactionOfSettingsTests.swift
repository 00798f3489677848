import Testing

@testable import ClipnetConfig

/// What the daemon prints about its own settings (the start-up line, the service group's debug
/// log of its services) never holds a credential.
@Suite struct RedactionOfSettingsTests {
    static let password = "Pg-pass-7c1e9a"
    static let token = "ghp_tok3n9x8y7"

    @Test(arguments: [
        ("postgres://reconciler:\(password)@db.internal:5432/state", "postgres://reconciler:<redacted>@db.internal:5432/state"),
        ("postgresql://:\(password)@db/state", "postgresql://:<redacted>@db/state"),
        ("https://x-access-token:\(token)@github.com/clipnet/clipnet.git", "https://<redacted>@github.com/clipnet/clipnet.git"),
        ("https://\(token)@github.com/clipnet/clipnet.git", "https://<redacted>@github.com/clipnet/clipnet.git"),
        ("https://github.com/clipnet/clipnet.git", "https://github.com/clipnet/clipnet.git"),
        ("git@github.com:clipnet/clipnet.git", "git@github.com:clipnet/clipnet.git"),
        ("file:state/", "file:state/"),
    ])
    func aURLLosesItsCredentials(url: String, shown: String) {
        #expect(RedactedURL.display(url) == shown)
    }

    static func configuration() throws -> DaemonConfiguration {
        try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: https://x-access-token:\(token)@github.com/clipnet/clipnet.git
            state: postgres://reconciler:\(password)@db.internal/state
            """, file: "reconciler.yaml")
    }

    @Test func descriptionsAndDumpsOfTheConfigurationHoldNoCredential() throws {
        let configuration = try Self.configuration()
        var dumped = ""
        dump(configuration, to: &dumped)
        var dumpedRepository = ""
        dump(configuration.repository, to: &dumpedRepository)
        for text in ["\(configuration)", String(reflecting: configuration), dumped, "\(configuration.repository)", dumpedRepository] {
            #expect(!text.contains(Self.password) && !text.contains(Self.token), "\(text)")
        }
        #expect("\(configuration)".contains("db.internal"))
    }

    @Test func theStateShownIsTheOneUsedWithoutItsPassword() throws {
        var configuration = try Self.configuration()
        #expect(configuration.stateDisplay(environment: [:]) == "postgres://reconciler:<redacted>@db.internal/state")
        configuration.stateURLEnv = "STATE_URL"
        let fromVariable = configuration.stateDisplay(environment: ["STATE_URL": "postgres://ops:\(Self.password)@pg.internal/clipnet"])
        #expect(fromVariable == "postgres://ops:<redacted>@pg.internal/clipnet (from STATE_URL)")
        #expect(configuration.stateDisplay(environment: [:]) == "unset STATE_URL")
    }
}
