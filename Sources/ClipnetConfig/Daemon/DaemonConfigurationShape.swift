/// The daemon configuration file as data, validated by the same machinery as the manifests, so a
/// mistake in it is reported as `file:line:column` too.
enum DaemonConfigurationShape {
    /// A duration between bounds: below them a loop spins (a 0s poll fetched 700 times a
    /// second), above them a timer never fires or an overflow traps.
    static func duration(_ min: Duration, _ max: Duration) -> Shape {
        .string(.duration(min: min, max: max))
    }
    static let branch = StringFormat.pattern(
        "^[A-Za-z0-9._/-]+$", summary: "a branch name", example: "develop")
    static let state = StringFormat.pattern(
        "^(file:.+|postgres(ql)?://\\S+)$", summary: "file:<folder> or a postgres:// URL", example: "file:state/")

    static let repository = Shape.object(
        ObjectShape(
            summary: "the watched repository",
            fields: [
                .required("url", .string(.text), "https, ssh or file:// URL, or a local path"),
                .optional("branch", .string(branch), "the branch to follow (default develop)"),
                .optional("manifestDirectory", .string(.relativePath), "the manifest folder in the repository (default deploy)"),
                .optional("pollInterval", duration(.milliseconds(100), .seconds(86_400)), "time between fetches (default 30s)"),
                .optional("tokenEnv", .string(.variableName), "the environment variable holding an https token"),
                .optional("sshKey", .string(.text), "an ssh private key file for ssh URLs"),
                .optional(
                    "markTags", .string(.pattern("^[A-Za-z0-9._/*?-]+$", summary: "a tag pattern", example: "staging/*")),
                    "tags that mark a build for the environment: the newest marked commit is followed instead of the branch head"),
            ]))

    static func platform(_ summary: String) -> Shape {
        .object(
            ObjectShape(
                summary: summary,
                fields: [
                    .optional("apiURL", .string(.url(schemes: ["https", "http"])), "the API base URL"),
                    .optional("tokenEnv", .string(.variableName), "the environment variable holding the token"),
                    .optional("requestsPerHour", .integer(min: 10, max: 1_000_000), "the plan's request budget per hour (default: none)"),
                    .optional(
                        "webhookSecretEnv", .string(.variableName),
                        "the environment variable holding the deployment webhooks' signing secret (default VERCEL_WEBHOOK_SECRET)"),
                ]))
    }

    static let railway = Shape.object(
        ObjectShape(
            summary: "the Railway API",
            fields: [
                .optional("apiURL", .string(.url(schemes: ["https", "http"])), "the API base URL (default https://backboard.railway.com)"),
                .optional("tokenEnv", .string(.variableName), "the environment variable holding the token (default RAILWAY_TOKEN)"),
                .optional(
                    "tokenKind", .enumeration(DaemonConfiguration.RailwayTokenKind.allCases.map(\.rawValue)), "account (Bearer) or project token"),
                .optional(
                    "requestsPerHour", .integer(min: 10, max: 1_000_000),
                    "the plan's request budget per hour: Free 100, Hobby 1000, Pro 10000 (default 1000)"),
                .optional(
                    "webhookTokenEnv", .string(.variableName),
                    "the environment variable holding the token the deployment webhook URL carries (default RAILWAY_WEBHOOK_TOKEN)"),
            ]))

    static let reconcile = Shape.object(
        ObjectShape(
            summary: "reconcile timings",
            fields: [
                .optional("driftInterval", duration(.seconds(1), .seconds(86_400)), "time between drift checks (default 60s)"),
                .optional(
                    "fullObserveInterval", duration(.zero, .seconds(86_400)),
                    "while idle, how often everything is read from the platforms; cheap checks in between (default 15m; 0s: every check reads everything)"
                ),
                .optional(
                    "readinessInterval", duration(.seconds(1), .seconds(86_400)),
                    "how often the known-good records are checked for rollback readiness (default 1h)"),
                .optional(
                    "expiredRollback", .enumeration(DaemonConfiguration.ExpiredRollback.allCases.map(\.rawValue)),
                    "a rollback to a record no longer rollback-ready: rebuild its commit or stall (default rebuild)"),
                .optional(
                    "rolloutPollInterval", duration(.milliseconds(10), .seconds(3600)), "how soon a waiting rollout is looked at again (default 5s)"),
                .optional(
                    "verifyTimeout", duration(.seconds(1), .seconds(86_400)),
                    "how long API and worker may take to report the new revision (default 5m)"),
                .optional(
                    "workerVersionSource", .enumeration(DaemonConfiguration.WorkerVersionSource.allCases.map(\.rawValue)),
                    "heartbeat (Redis) or platform (the deployment's commit)"),
                .optional("healthFailureThreshold", .integer(min: 1, max: 100), "consecutive failed health checks that fail a rollout (default 2)"),
                .optional("transientFailureLimit", .integer(min: 1, max: 1000), "consecutive failing passes before a rollout fails (default 5)"),
                .optional(
                    "failureLogLines", .integer(min: 0, max: 500), "lines of a failed build's log kept with the failed rollout (default 50; 0: none)"),
                .optional("probeTimeout", duration(.milliseconds(10), .seconds(600)), "bound on one version, health or Redis probe (default 5s)"),
                .optional("platformAttempts", .integer(min: 1, max: 20), "attempts per platform API call (default 5)"),
                .optional(
                    "platformRetryDelay", duration(.milliseconds(1), .seconds(600)), "first delay between attempts of a platform call (default 500ms)"
                ),
                .optional("platformTimeout", duration(.milliseconds(100), .seconds(3600)), "bound on one platform API request (default 30s)"),
                .optional(
                    "leaderCheckInterval", duration(.milliseconds(50), .seconds(3600)),
                    "PostgreSQL leader election: takeover and self-check interval (default 5s)"),
            ]))

    static let http = Shape.object(
        ObjectShape(
            summary: "the status server's connection limits",
            fields: [
                .optional("idleTimeout", duration(.milliseconds(100), .seconds(3600)), "an idle connection is closed after this long (default 60s)"),
                .optional(
                    "requestTimeout", duration(.milliseconds(100), .seconds(3600)),
                    "a request's head and body must arrive within this long, else 408 (default 30s)"),
                .optional(
                    "lingerTimeout", duration(.milliseconds(10), .seconds(60)),
                    "after an early answer (413, 401), how long the rest of the body is discarded before closing (default 2s)"),
                .optional("maxConnections", .integer(min: 1, max: 10_000), "connections served at once (default 256)"),
                .optional("maxHeaderBytes", .integer(min: 1024, max: 1_048_576), "largest request head in bytes, else 431 (default 32768)"),
            ]))

    static let slack = Shape.object(
        ObjectShape(
            summary: "a Slack channel through the Web API",
            fields: [
                .required("channel", .string(.text), "the channel id (C0123ABCD) or name the bot posts in"),
                .optional("tokenEnv", .string(.variableName), "the environment variable holding the bot token xoxb-... (default SLACK_BOT_TOKEN)"),
                .optional("apiURL", .string(.url(schemes: ["https", "http"])), "the Web API base URL (default https://slack.com/api)"),
            ]))

    static let webhook = Shape.object(
        ObjectShape(
            summary: "a signed JSON webhook",
            fields: [
                .required("url", .string(.url(schemes: ["https", "http"])), "where every event is POSTed"),
                .optional(
                    "secretEnv", .string(.variableName),
                    "the environment variable holding the HMAC-SHA256 signing secret (default NOTIFY_WEBHOOK_SECRET)"),
            ]))

    static let github = Shape.object(
        ObjectShape(
            summary: "GitHub: the release gate and deployment reporting",
            fields: [
                .optional("apiURL", .string(.url(schemes: ["https", "http"])), "the REST API base URL (default https://api.github.com)"),
                .optional("tokenEnv", .string(.variableName), "the environment variable holding the token (default GITHUB_TOKEN)"),
                .optional(
                    "repository", .string(.pattern("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", summary: "owner/name", example: "clipnet/clipnet")),
                    "owner/name (default: from repository.url on github.com)"),
                .optional(
                    "requiredChecks",
                    .string(.pattern("^[^,]+(,[^,]+)*$", summary: "check names separated by commas", example: "build, test")),
                    "check runs or status contexts that must succeed before a build rolls out (default: none, no gate)"),
                .optional("checkInterval", duration(.seconds(1), .seconds(3600)), "how soon a pending gate looks again (default 15s)"),
                .optional("deployments", .boolean, "report each rollout as a GitHub deployment with statuses (default false)"),
                .optional("environmentURL", .string(.url(schemes: ["https", "http"])), "the environment_url of a successful deployment"),
                .optional(
                    "requestTask", .string(.pattern("^[A-Za-z0-9_.:/-]+$", summary: "a deployment task", example: "deploy:request")),
                    "the task of the GitHub deployments that mark a build (default: none, requests are not taken)"),
            ]))

    static let notifications = Shape.map(
        MapShape(
            summary: "notification channels by name",
            keyRule: .pattern("^[a-z0-9][a-z0-9_-]{0,39}$", summary: "a channel name", example: "deploys"),
            value: .object(
                ObjectShape(
                    summary: "one notification channel: slack or webhook",
                    fields: [
                        .optional("slack", slack, "a Slack channel through the Web API"),
                        .optional("webhook", webhook, "a signed JSON webhook"),
                    ],
                    atomic: true,
                    exactlyOneOf: ["slack", "webhook"]))
        ))

    static let root = Shape.object(
        ObjectShape(
            summary: "the reconciler daemon configuration",
            fields: [
                .required("environment", .string(.environmentName), "the environment this daemon manages"),
                .required("repository", repository, "the watched repository"),
                .optional("state", .string(state), "file:<folder> (default file:state/) or a postgres:// URL"),
                .optional("stateURLEnv", .string(.variableName), "read the state URL from this environment variable instead"),
                .optional("mirrorDirectory", .string(.text), "where the repository's bare mirror is kept (default: the state folder)"),
                .optional("listen", .string(.hostPort), "the status server's address (default 127.0.0.1:8080)"),
                .optional("http", http, "the status server's connection limits"),
                .optional("secretsFile", .string(.text), "a KEY=VALUE file of secret values (mode 0600)"),
                .optional("productionFingerprintsFile", .string(.text), "production's identifier fingerprints (a staging daemon)"),
                .optional("stagingFingerprintsFile", .string(.text), "staging's identifier fingerprints (a production daemon)"),
                .optional("operatorTokenEnv", .string(.variableName), "the environment variable holding the shared (admin) operator token"),
                .optional("operatorTokensFile", .string(.text), "the named operator tokens with roles (reconciler token issue)"),
                .optional("webhookSecretEnv", .string(.variableName), "the environment variable holding the GitHub webhook secret"),
                .optional("vercel", platform("the Vercel API"), "the Vercel API"),
                .optional("railway", railway, "the Railway API"),
                .optional("reconcile", reconcile, "reconcile timings"),
                .optional(
                    "publicURL", .string(.url(schemes: ["https", "http"])),
                    "the status page as people reach it: the link in notifications"),
                .optional("notifications", notifications, "notification channels by name (Slack, signed webhook)"),
                .optional("github", github, "GitHub: the release gate and deployment reporting"),
                .optional(
                    "promotion",
                    .object(
                        ObjectShape(
                            summary: "promotion to the next environment",
                            fields: [
                                .optional("branch", .string(branch), "the branch `promote` fast-forwards (default production)"),
                                .optional(
                                    "soak", duration(.zero, .seconds(30 * 86_400)),
                                    "how long a revision must have been known-good before it may be promoted (default 0s)"),
                            ])), "promotion of known-good revisions to the next environment"),
            ]))
}

extension DaemonConfiguration {
    /// Every key the configuration file accepts, dotted (`repository.url`, `reconcile.driftInterval`):
    /// what `reconciler init` must write out, checked by a test so a new key cannot be forgotten.
    public static var keyPaths: [String] {
        func paths(_ shape: Shape, prefix: String) -> [String] {
            guard case .object(let object) = shape else { return [prefix] }
            return object.fields.flatMap { paths($0.shape, prefix: prefix.isEmpty ? $0.name : prefix + "." + $0.name) }
        }
        return paths(DaemonConfigurationShape.root, prefix: "")
    }
}
