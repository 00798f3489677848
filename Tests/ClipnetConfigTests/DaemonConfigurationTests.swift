import ClipnetConfig
import Foundation
import Testing

/// `reconciler run --config FILE`: defaults, every key, and mistakes reported as file:line:column.
@Suite struct DaemonConfigurationTests {
    @Test func onlyTheRequiredKeysGiveTheDocumentedDefaults() throws {
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: https://github.com/clipnet/clipnet.git
            """, file: "reconciler.yaml")
        #expect(configuration.environment == "staging")
        #expect(configuration.repository.branch == "develop")
        #expect(configuration.repository.manifestDirectory == "deploy")
        #expect(configuration.repository.pollInterval == .seconds(30))
        #expect(configuration.state == "file:state/")
        #expect(configuration.listenHost == "127.0.0.1")
        #expect(configuration.listenPort == 8080)
        #expect(configuration.vercel.baseURL == "https://api.vercel.com")
        #expect(configuration.railway.baseURL == "https://backboard.railway.com")
        #expect(configuration.operatorTokenEnv == "RECONCILER_TOKEN")
        #expect(configuration.reconcile.workerVersionSource == .heartbeat)
        #expect(configuration.reconcile.driftInterval == .seconds(60))
        #expect(configuration.railway.requestsPerHour == 1_000, "Railway Hobby's hourly budget")
        #expect(configuration.vercel.requestsPerHour == nil)
        #expect(configuration.reconcile.fullObserveInterval == .seconds(900))
        #expect(configuration.reconcile.readinessInterval == .seconds(3600))
        #expect(configuration.reconcile.expiredRollback == .rebuild)
    }

    @Test func everyKeyIsRead() throws {
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: git@github.com:clipnet/clipnet.git
              branch: release/2026
              manifestDirectory: ops/deploy
              pollInterval: 1.5s
              sshKey: /etc/reconciler/id_ed25519
            state: postgres://reconciler@db.internal/reconciler
            mirrorDirectory: /var/lib/reconciler
            listen: 0.0.0.0:9090
            secretsFile: /etc/reconciler/staging.env
            productionFingerprintsFile: /etc/reconciler/production.fingerprints.json
            operatorTokenEnv: OPS_TOKEN
            webhookSecretEnv: HOOK_SECRET
            vercel:
              apiURL: https://vercel.example.test
              tokenEnv: V_TOKEN
              requestsPerHour: 20000
            railway:
              apiURL: https://railway.example.test
              tokenEnv: R_TOKEN
              tokenKind: project
              requestsPerHour: 10000
            reconcile:
              driftInterval: 2m
              fullObserveInterval: 30m
              readinessInterval: 2h
              expiredRollback: stall
              rolloutPollInterval: 250ms
              verifyTimeout: 10m
              workerVersionSource: platform
              healthFailureThreshold: 3
              transientFailureLimit: 7
              probeTimeout: 3s
              leaderCheckInterval: 1h
              platformAttempts: 2
              platformRetryDelay: 100ms
              platformTimeout: 45s
            """, file: "reconciler.yaml")
        #expect(configuration.repository.branch == "release/2026")
        #expect(configuration.repository.pollInterval == .milliseconds(1500))
        #expect(configuration.repository.sshKeyPath == "/etc/reconciler/id_ed25519")
        #expect(configuration.state.hasPrefix("postgres://"))
        #expect(configuration.mirrorDirectory == "/var/lib/reconciler")
        #expect(configuration.listenHost == "0.0.0.0")
        #expect(configuration.listenPort == 9090)
        #expect(configuration.railwayTokenKind == .project)
        #expect(configuration.reconcile.driftInterval == .seconds(120))
        #expect(configuration.reconcile.rolloutPollInterval == .milliseconds(250))
        #expect(configuration.reconcile.verifyTimeout == .seconds(600))
        #expect(configuration.reconcile.workerVersionSource == .platform)
        #expect(configuration.reconcile.healthFailureThreshold == 3)
        #expect(configuration.reconcile.transientFailureLimit == 7)
        #expect(configuration.reconcile.leaderCheckInterval == .seconds(3600))
        #expect(configuration.reconcile.platformAttempts == 2)
        #expect(configuration.reconcile.platformTimeout == .seconds(45))
        #expect(configuration.railway.requestsPerHour == 10_000)
        #expect(configuration.vercel.requestsPerHour == 20_000)
        #expect(configuration.reconcile.fullObserveInterval == .seconds(1800))
        #expect(configuration.reconcile.readinessInterval == .seconds(7200))
        #expect(configuration.reconcile.expiredRollback == .stall)
    }

    @Test func mistakesAreReportedWithFileLineAndColumn() throws {
        do {
            _ = try DaemonConfiguration.parse(
                """
                environment: staging
                repository:
                  url: https://github.com/clipnet/clipnet.git
                  pollInterval: 30
                listen: localhost
                reconcile:
                  workerVersionSource: redis
                  surprise: true
                """, file: "reconciler.yaml")
            Issue.record("an invalid configuration was accepted")
        } catch let error as ConfigError {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:4:17:") && $0.contains("pollInterval") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:5:9:") && $0.contains("host:port") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:7:24:") && $0.contains("heartbeat, platform") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:8:3:") && $0.contains("unknown key 'surprise'") }, "\(lines)")
        }
    }

    @Test func notificationChannelsAreReadInOrderWithTheirDefaults() throws {
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: .
            publicURL: https://reconciler.staging.clipnet.ai
            notifications:
              deploys:
                slack:
                  channel: C0123ABCD
              pager-bridge:
                webhook:
                  url: https://hooks.example.com/clipnet
                  secretEnv: PAGER_BRIDGE_SECRET
            """, file: "reconciler.yaml")
        #expect(configuration.publicURL == "https://reconciler.staging.clipnet.ai")
        #expect(
            configuration.notifications == [
                .init(name: "deploys", destination: .slack(channel: "C0123ABCD", tokenEnv: "SLACK_BOT_TOKEN", apiURL: "https://slack.com/api")),
                .init(name: "pager-bridge", destination: .webhook(url: "https://hooks.example.com/clipnet", secretEnv: "PAGER_BRIDGE_SECRET")),
            ])
    }

    @Test func aChannelWithTwoDestinationsOrNoneIsRefusedWithItsLocation() throws {
        do {
            _ = try DaemonConfiguration.parse(
                """
                environment: staging
                repository:
                  url: .
                notifications:
                  both:
                    slack:
                      channel: C0123ABCD
                    webhook:
                      url: https://hooks.example.com/x
                  Bad Name:
                    webhook:
                      url: ftp://hooks.example.com/x
                  empty: {}
                """, file: "reconciler.yaml")
            Issue.record("accepted")
        } catch let error as ConfigError {
            let lines = error.diagnostics.map(\.description)
            #expect(
                lines.contains { $0.hasPrefix("reconciler.yaml:6:5: notifications.both: expected exactly one of 'slack' or 'webhook'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:10:3: invalid key 'Bad Name'") }, "\(lines)")
            #expect(lines.contains { $0.hasPrefix("reconciler.yaml:12:12: notifications.Bad Name.webhook.url") }, "\(lines)")
            #expect(lines.contains { $0.contains("notifications.empty") }, "\(lines)")
        }
    }

    @Test func aMissingRepositoryIsNamed() throws {
        #expect(throws: ConfigError.self) {
            _ = try DaemonConfiguration.parse("environment: staging\n", file: "reconciler.yaml")
        }
    }

    @Test func platformURLsCanBeOverriddenFromTheEnvironment() throws {
        let configuration = try DaemonConfiguration.parse(
            """
            environment: staging
            repository:
              url: .
            """, file: "reconciler.yaml"
        ).applyingEnvironment([
            "VERCEL_API_URL": "http://127.0.0.1:4001", "RAILWAY_API_URL": "http://127.0.0.1:4002",
            "CLOUDINARY_API_URL": "http://127.0.0.1:4003",
        ])
        #expect(configuration.vercel.baseURL == "http://127.0.0.1:4001")
        #expect(configuration.railway.baseURL == "http://127.0.0.1:4002")
        #expect(configuration.cloudinaryAPIURL == "http://127.0.0.1:4003")
        #expect(DaemonConfiguration.defaults.applyingEnvironment([:]).cloudinaryAPIURL == nil, "unset: the worker's own base, else Cloudinary's")
    }

    @Test func theStateURLCanComeFromAVariableAndMustBeSetThen() throws {
        var configuration = DaemonConfiguration.defaults
        configuration.stateURLEnv = "RECONCILER_STATE_URL"
        #expect(try configuration.stateURL(environment: ["RECONCILER_STATE_URL": "postgres://x@db/r"]) == "postgres://x@db/r")
        #expect(throws: ConfigError.self) { try configuration.stateURL(environment: [:]) }
    }
}
