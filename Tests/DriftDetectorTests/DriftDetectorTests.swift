import ClipnetContracts
import DriftDetector
import Testing

private let r1 = String(repeating: "1", count: 40)
private let r2 = String(repeating: "2", count: 40)

/// A staging environment where everything matches: each test changes one thing.
private func desired(
    revision: String = r1, inFlight: Set<ServiceName> = [], production: Set<String> = ["prod-redis-fp"]
) -> DesiredEnvironment {
    DesiredEnvironment(
        revision: revision, frontendDeploymentID: "dpl_good", domain: "staging.clipnet.ai",
        variables: [
            .api: ["REDIS_URL": ExpectedVariable(fingerprint: "staging-redis-fp"), "LOG_LEVEL": ExpectedVariable(fingerprint: "info-fp")],
            .worker: ["REDIS_URL": ExpectedVariable(fingerprint: "staging-redis-fp")],
            .frontend: [
                "NEXT_PUBLIC_API": ExpectedVariable(fingerprint: "api-url-fp"),
                "SESSION_SECRET": ExpectedVariable(fingerprint: "s-fp", valueReadable: false),
            ],
        ],
        topology: [.api: "svc-api", .worker: "svc-worker", .redis: "svc-redis", .postgres: "svc-pg"],
        productionFingerprints: production, inFlight: inFlight)
}

private func observed(
    api: String? = r1, worker: String? = r1, frontend: String? = r1, alias: String? = "dpl_good",
    apiTag: String? = nil, workerTag: String? = nil, autoDeploy: Bool? = false,
    variables: [ServiceName: [String: LiveVariable]]? = nil, platformServices: [ObservedPlatformService]? = nil
) -> ObservedEnvironment {
    ObservedEnvironment(
        services: [
            ObservedService(role: .frontend, revision: frontend, deploymentID: "dpl_good"),
            ObservedService(role: .api, revision: api, versionTag: apiTag, deploymentID: "api-1", autoDeploy: autoDeploy),
            ObservedService(role: .worker, revision: worker, versionTag: workerTag, deploymentID: "wrk-1", autoDeploy: false),
        ],
        aliasDeploymentID: alias,
        variables: variables ?? [
            .api: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp"), "LOG_LEVEL": LiveVariable(fingerprint: "info-fp")],
            .worker: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp")],
            .frontend: ["NEXT_PUBLIC_API": LiveVariable(fingerprint: "api-url-fp"), "SESSION_SECRET": LiveVariable(fingerprint: nil)],
        ],
        platformServices: platformServices ?? [
            .init(id: "svc-api", name: "api"), .init(id: "svc-worker", name: "worker"),
            .init(id: "svc-redis", name: "Redis"), .init(id: "svc-pg", name: "Postgres"),
        ])
}

@Suite struct DriftDetectorTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let desired: DesiredEnvironment
        let observed: ObservedEnvironment
        let expected: [Drift]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "everything matches", desired: desired(), observed: observed(), expected: []),
        Scenario(
            name: "the worker runs another revision", desired: desired(), observed: observed(worker: r2),
            expected: [
                Drift(kind: .revision, service: "worker", detail: "runs 222222222222, desired 111111111111"),
                Drift(kind: .versionSkew, service: nil, detail: "api runs 111111111111 but worker runs 222222222222"),
            ]),
        Scenario(
            name: "a short revision reported by the platform matches", desired: desired(),
            observed: observed(api: String(r1.prefix(7)), worker: r1.uppercased()),
            expected: []),
        Scenario(
            name: "the platform does not say what runs", desired: desired(), observed: observed(frontend: nil),
            expected: [Drift(kind: .revision, service: "frontend", detail: "the platform does not report which revision runs; desired 111111111111")]),
        Scenario(
            name: "api and worker report different version tags", desired: desired(), observed: observed(apiTag: r1, workerTag: r2),
            expected: [Drift(kind: .versionSkew, service: nil, detail: "api reports version 111111111111 but worker reports 222222222222")]),
        Scenario(
            name: "someone re-pointed the alias by hand", desired: desired(), observed: observed(alias: "dpl_other"),
            expected: [Drift(kind: .alias, service: "frontend", detail: "staging.clipnet.ai points at dpl_other, desired dpl_good")]),
        Scenario(
            name: "the alias points nowhere", desired: desired(), observed: observed(alias: nil),
            expected: [Drift(kind: .alias, service: "frontend", detail: "staging.clipnet.ai points at no deployment; desired dpl_good")]),
        Scenario(
            name: "variables missing, extra and changed, named but never shown",
            desired: desired(),
            observed: observed(variables: [
                .api: ["REDIS_URL": LiveVariable(fingerprint: "other-fp"), "DEBUG": LiveVariable(fingerprint: "x")],
                .worker: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp")],
                .frontend: ["NEXT_PUBLIC_API": LiveVariable(fingerprint: "api-url-fp"), "SESSION_SECRET": LiveVariable(fingerprint: nil)],
            ]),
            expected: [
                Drift(kind: .variables, service: "api", detail: "changed REDIS_URL"),
                Drift(kind: .variables, service: "api", detail: "extra DEBUG", healable: false),
                Drift(kind: .variables, service: "api", detail: "missing LOG_LEVEL"),
            ]),
        Scenario(
            name: "a sensitive variable is checked for presence only",
            desired: desired(),
            observed: observed(variables: [
                .api: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp"), "LOG_LEVEL": LiveVariable(fingerprint: "info-fp")],
                .worker: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp")],
                .frontend: ["NEXT_PUBLIC_API": LiveVariable(fingerprint: "api-url-fp"), "SESSION_SECRET": LiveVariable(fingerprint: "whatever")],
            ]),
            expected: []),
        Scenario(
            name: "a second worker service is drift",
            desired: desired(),
            observed: observed(platformServices: [
                .init(id: "svc-api", name: "api"), .init(id: "svc-worker", name: "worker"), .init(id: "svc-worker-2", name: "worker-copy"),
                .init(id: "svc-redis", name: "Redis"), .init(id: "svc-pg", name: "Postgres"),
            ]),
            expected: [
                Drift(
                    kind: .topology, service: "worker-copy",
                    detail: "unexpected service 'worker-copy' (svc-worker-2): the project must hold exactly one api, worker, redis and postgres")
            ]),
        Scenario(
            name: "a service of the spec is missing from the project",
            desired: desired(),
            observed: observed(platformServices: [
                .init(id: "svc-api", name: "api"), .init(id: "svc-worker", name: "worker"), .init(id: "svc-pg", name: "Postgres"),
            ]),
            expected: [Drift(kind: .topology, service: "redis", detail: "the redis service svc-redis is missing from the project")]),
        Scenario(
            name: "the platform's own auto-deploy is on", desired: desired(), observed: observed(autoDeploy: true),
            expected: [
                Drift(kind: .autoDeploy, service: "api", detail: "the platform's own auto-deploy is on and would deploy behind the reconciler")
            ]),
        Scenario(
            name: "a live variable names a production resource",
            desired: desired(),
            observed: observed(variables: [
                .api: [
                    "REDIS_URL": LiveVariable(fingerprint: "raw-fp", identifierFingerprints: ["prod-redis-fp"]),
                    "LOG_LEVEL": LiveVariable(fingerprint: "info-fp"),
                ],
                .worker: ["REDIS_URL": LiveVariable(fingerprint: "staging-redis-fp")],
                .frontend: ["NEXT_PUBLIC_API": LiveVariable(fingerprint: "api-url-fp"), "SESSION_SECRET": LiveVariable(fingerprint: nil)],
            ]),
            expected: [
                Drift(kind: .variables, service: "api", detail: "changed REDIS_URL"),
                Drift(kind: .isolation, service: "api", detail: "variable REDIS_URL names a production resource"),
            ]),
        Scenario(
            name: "services the tool is rolling out are not drift",
            desired: desired(revision: r2, inFlight: [.api, .worker, .frontend]),
            observed: observed(api: r2, worker: r1, alias: "dpl_old"),
            expected: []),
        Scenario(
            name: "a pinned older revision that runs everywhere is not drift",
            desired: desired(revision: r2), observed: observed(api: r2, worker: r2, frontend: r2),
            expected: []),
    ]

    @Test(arguments: scenarios)
    func detectsExactlyTheExpectedDrift(scenario: Scenario) {
        #expect(DriftDetector.detect(desired: scenario.desired, observed: scenario.observed) == scenario.expected)
    }

    @Test func aMissingServiceIsRevisionDrift() {
        var live = observed()
        live.services.removeAll { $0.role == .worker }
        let drift = DriftDetector.detect(desired: desired(), observed: live)
        #expect(drift == [Drift(kind: .revision, service: "worker", detail: "no live deployment found; desired 111111111111")])
    }

    @Test func theOrderIsStableWhateverTheInputOrder() {
        var live = observed(worker: r2, alias: "dpl_x", autoDeploy: true)
        let first = DriftDetector.detect(desired: desired(), observed: live)
        live.services.reverse()
        #expect(DriftDetector.detect(desired: desired(), observed: live) == first)
        #expect(first.map(\.kind) == first.map(\.kind).sorted())
    }

    @Test func policiesSplitDriftIntoHealAndReport() {
        let drift = DriftDetector.detect(desired: desired(), observed: observed(alias: "dpl_x", autoDeploy: true))
        let (heal, report) = DriftDetector.partition(drift, policies: [.alias: .heal, .autoDeploy: .report])
        #expect(heal.map(\.kind) == [.alias])
        #expect(report.map(\.kind) == [.autoDeploy])
        // Without a policy, drift is reported, never silently healed.
        #expect(DriftDetector.partition(drift, policies: [:]).heal.isEmpty)
    }

    @Test func topologyIsNotJudgedWhenItWasNotRead() {
        var live = observed()
        live.platformServices = nil
        #expect(DriftDetector.detect(desired: desired(), observed: live).isEmpty)
    }
}
