import ClipnetConfig
import Foundation

/// The text of the files `reconciler init` writes, and the steps it prints.
struct InitFiles {
    let directory: String
    let environment: String
    let repository: String
    let branch: String
    let manifestDirectory: String
    let manifest: Manifest

    var configurationPath: String { directory + "/reconciler.yaml" }
    var secretsPath: String { directory + "/\(environment).env" }
    var daemonEnvironmentPath: String { directory + "/daemon.env" }
    var tokensPath: String { directory + "/operator-tokens.json" }
    var fingerprintsPath: String { directory + "/production.fingerprints.json" }
    var paths: [String] { [configurationPath, secretsPath, daemonEnvironmentPath, tokensPath] }

    /// Every setting, at its default, with the bounds; the paths point into `directory`.
    var configuration: String {
        let defaults = DaemonConfiguration.defaults
        return """
            # The reconciler's configuration (written by `reconciler init`). Tokens and secrets are never
            # written here, only the names of the variables that hold them (daemon.env sets them).
            # Every key is shown at its default; the comments give the bounds.
            environment: \(environment)
            repository:
              url: \(repository)            # https, ssh, file:// or a path
              branch: \(branch)
              manifestDirectory: \(manifestDirectory)
              pollInterval: 30s                # 100ms to 24h; a GitHub webhook fetches at once
              # markTags: staging/*            # a tag marks a build for staging (followed instead of the head; a pin wins)
              # tokenEnv: GITHUB_TOKEN         # for a private https repository: the variable holding a token
              # sshKey: \(directory)/id_ed25519   # for an ssh URL (else the ssh agent)
            state: file:\(directory)/state/    # or postgres://... with leader election (stateURLEnv: NAME reads it from a variable)
            # stateURLEnv: RECONCILER_STATE_URL
            # mirrorDirectory: \(directory)/mirror   # the repository's bare mirror (default: in the state folder)
            listen: 127.0.0.1:8080             # the status page and operator API; 0 to 65535
            http:
              idleTimeout: 60s                 # 100ms to 1h
              requestTimeout: 30s              # 100ms to 1h
              lingerTimeout: 2s                # 10ms to 1m
              maxConnections: 256              # 1 to 10000
              maxHeaderBytes: 32768            # 1024 to 1048576
            secretsFile: \(secretsPath)        # the manifests' secrets, KEY=VALUE, mode 0600
            productionFingerprintsFile: \(fingerprintsPath)   # `reconciler validate --write-fingerprints` (step 2)
            # stagingFingerprintsFile: <path>  # in production's daemon file instead: staging's fingerprints
            operatorTokenEnv: \(defaults.operatorTokenEnv)       # a shared admin token, optional with named tokens
            operatorTokensFile: \(tokensPath)  # named tokens with roles (`reconciler token issue`)
            webhookSecretEnv: \(defaults.webhookSecretEnv)
            vercel:
              apiURL: \(defaults.vercel.baseURL)
              tokenEnv: \(defaults.vercel.tokenEnv)
              # requestsPerHour: 1000          # none by default (Vercel limits each endpoint); 10 to 1000000
              webhookSecretEnv: \(defaults.vercel.webhookSecretEnv)   # deployment webhooks' signing secret (optional)
            railway:
              apiURL: \(defaults.railway.baseURL)
              tokenEnv: \(defaults.railway.tokenEnv)
              tokenKind: \(defaults.railwayTokenKind.rawValue)               # or project (Project-Access-Token)
              requestsPerHour: \(defaults.railway.requestsPerHour ?? 1000)            # the plan's budget: Free 100, Hobby 1000, Pro 10000
              webhookTokenEnv: \(defaults.railway.webhookSecretEnv)   # the token in the deployment webhook's URL (optional)
            reconcile:
              driftInterval: 60s               # 1s to 24h
              fullObserveInterval: 15m         # 0s to 24h; idle checks in between read only cheap signals
              readinessInterval: 1h            # 1s to 24h; rollback readiness of the known-good records
              expiredRollback: rebuild         # or stall
              rolloutPollInterval: 5s          # 10ms to 1h
              verifyTimeout: 5m                # 1s to 24h
              workerVersionSource: heartbeat   # or platform
              healthFailureThreshold: 2        # 1 to 100
              transientFailureLimit: 5         # 1 to 1000
              failureLogLines: 50              # 0 to 500; a failed build's last lines, kept with the rollout
              probeTimeout: 5s                 # 10ms to 10m
              leaderCheckInterval: 5s          # 50ms to 1h
              platformAttempts: 5              # 1 to 20
              platformRetryDelay: 500ms        # 1ms to 10m
              platformTimeout: 30s             # 100ms to 1h
            # publicURL: https://reconciler.staging.clipnet.ai   # the status page as people reach it (links in messages)
            # notifications:                   # where rollout messages go (docs/notifications.md); channels by name
            #   deploys:
            #     slack:
            #       channel: C0123ABCD         # the channel id; invite the bot, which needs the chat:write scope
            #       tokenEnv: \(DaemonConfiguration.NotificationChannel.defaultSlackTokenEnv)
            #       apiURL: \(DaemonConfiguration.NotificationChannel.defaultSlackAPIURL)
            #   events:
            #     webhook:
            #       url: https://hooks.example.com/clipnet
            #       secretEnv: \(DaemonConfiguration.NotificationChannel.defaultWebhookSecretEnv)   # HMAC-SHA256 signing secret
            # promotion:                       # `reconciler promote`: fast-forward the production branch to a known-good revision
            #   branch: production
            #   soak: 1h                       # 0s to 30d; how long a revision must have been known-good
            # github:                          # the release gate and deployment reporting (docs/release-gates.md)
            #   apiURL: \(DaemonConfiguration.GitHub.defaults.apiURL)
            #   tokenEnv: \(DaemonConfiguration.GitHub.defaults.tokenEnv)       # fine-grained token or GitHub App installation token
            #   repository: clipnet/clipnet    # default: from repository.url on github.com
            #   requiredChecks: build, test    # check runs or status contexts that must succeed; none: no gate
            #   checkInterval: 15s             # 1s to 1h; check webhooks wake the gate sooner
            #   deployments: true              # report each rollout as a GitHub deployment
            #   environmentURL: https://staging.clipnet.ai
            #   requestTask: deploy:request    # a GitHub deployment with this task marks its build ("deploy this build")

            """
    }

    /// The secret names of the manifest, each once, with where it is used.
    var secretNames: [(name: String, paths: [String])] {
        var order: [String] = []
        var uses: [String: [String]] = [:]
        for (path, reference) in manifest.secretReferences {
            if uses[reference.name] == nil { order.append(reference.name) }
            uses[reference.name, default: []].append(path)
        }
        return order.map { ($0, uses[$0] ?? []) }
    }

    var secretsTemplate: String {
        var text = """
            # The \(environment) manifests' secrets (written by `reconciler init`): fill in each value.
            # KEY=VALUE, one per line; the value is everything after '='. Keep this file mode 0600.
            # Values set in the daemon's environment take precedence over this file.

            """
        for (name, paths) in secretNames {
            text += "\n# \(paths.joined(separator: ", "))\n\(name)=\n"
        }
        return text
    }

    func daemonEnvironment(webhookSecret: String) -> String {
        let defaults = DaemonConfiguration.defaults
        return """
            # The daemon's environment (written by `reconciler init`); load it with
            #   set -a; . \(daemonEnvironmentPath); set +a
            # or a systemd unit's EnvironmentFile=. Keep it mode 0600.

            # A Vercel access token that can read and deploy the frontend's project.
            \(defaults.vercel.tokenEnv)=
            # A Railway account or workspace token (railway.tokenKind: project for a project token).
            \(defaults.railway.tokenEnv)=
            # The GitHub push webhook's secret: give GitHub the same value (generated here).
            \(defaults.webhookSecretEnv)=\(webhookSecret)
            # Optional: the signing secret Vercel shows once when a deployment webhook is created
            # (POST /webhooks/vercel); without it the daemon notices Vercel's changes by polling.
            # \(defaults.vercel.webhookSecretEnv)=
            # Optional: a random token for Railway's deployment webhook, whose URL must then be
            # https://<daemon>/webhooks/railway?token=<it> (Railway does not sign its webhooks).
            # \(defaults.railway.webhookSecretEnv)=
            # Optional, with `github:`: a token that reads checks and statuses and writes deployments.
            # \(DaemonConfiguration.GitHub.defaults.tokenEnv)=
            # Optional, with a Slack notification channel: the bot's token (xoxb-...).
            # \(DaemonConfiguration.NotificationChannel.defaultSlackTokenEnv)=
            # Optional, with a webhook notification channel: its signing secret (give the receiver the same).
            # \(DaemonConfiguration.NotificationChannel.defaultWebhookSecretEnv)=
            # Optional: a shared admin token for scripts; named tokens are in operator-tokens.json.
            # \(defaults.operatorTokenEnv)=

            """
    }

    func nextSteps(adminToken: String) -> String {
        let count = secretNames.count
        return """
            reconciler init: wrote \(configurationPath), \(secretsPath) (\(count) secret\(count == 1 ? "" : "s") to fill), \
            \(daemonEnvironmentPath) and \(tokensPath).

            Admin token 'admin' (shown only this once; the file keeps its digest):
              \(adminToken)

            Next:
              1. Fill in \(secretsPath) and the platform tokens in \(daemonEnvironmentPath).
              2. On a machine that holds production's secrets, write production's fingerprints (the
                 isolation check compares staging's values with them, without knowing them):
                   reconciler validate --directory \(manifestDirectory) --environment production \\
                     --secrets-file production.env --write-fingerprints \(fingerprintsPath)
              3. Check the manifests and the secrets:
                   reconciler validate --directory \(manifestDirectory) --environment \(environment) \\
                     --secrets-file \(secretsPath) --fingerprints \(fingerprintsPath)
              4. Run it:
                   set -a; . \(daemonEnvironmentPath); set +a
                   reconciler run --config \(configurationPath)
              5. Open http://127.0.0.1:8080/ ; `reconciler token issue NAME --role operator --file \(tokensPath)`
                 gives each operator a token of their own (then kill -HUP the daemon).

            """
    }
}
