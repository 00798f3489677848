import AsyncPrimitives
public import ClipnetContracts
import ClipnetJSON
import Foundation
import HTTPTransport

/// Deployments: create (idempotent through the rollout id in `meta`), get, list, observe.
extension VercelDeployer {
    public func deploy(_ request: DeployRequest) async throws -> DeploymentID {
        try requireFrontend(request.service, "createDeployment")
        guard request.hasFullRevision else {
            throw DeployerError(
                .invalidRequest, "revision must be a full 40-hex commit id", isRetryable: false, platform: .vercel, operation: "createDeployment")
        }
        var attempt = 0
        while true {
            attempt += 1
            if let existing = try await findDeployment(sha: request.revision, rolloutID: request.rolloutID) { return existing }
            do {
                return try await createDeployment(request)
            } catch let error as DeployerError where error.isRetryable && attempt < configuration.transport.maxAttempts {
                // The create may have been processed (5xx or timeout after sending): look for it
                // before creating again, so a retry never makes a second deployment.
                try await Task.sleep(for: configuration.transport.backoff.delay(afterFailures: attempt))
            }
        }
    }

    /// `POST /v13/deployments?forceNew=1&skipAutoDetectionConfirmation=1`.
    /// `forceNew=1` because Vercel's dedup rule is UNCONFIRMED (it may hand back "a previous similar
    /// deployment" without this rollout's meta); idempotency comes from `findDeployment` instead.
    private func createDeployment(_ request: DeployRequest) async throws -> DeploymentID {
        var body: [String: JSONValue] = [
            "name": .string(configuration.projectName),
            "project": .string(configuration.projectId),
            "gitSource": [
                "type": "github", "org": .string(configuration.gitOrg), "repo": .string(configuration.gitRepo),
                "ref": .string(configuration.gitRef), "sha": .string(request.revision),
            ],
            "meta": [
                configuration.rolloutMetaKey: .string(request.rolloutID),
                "reconcilerRevision": .string(request.revision),
                "reconcilerVersion": .string(request.versionTag),
            ],
        ]
        switch configuration.target {
        case .preview: break
        case .production:
            body["target"] = "production"
            // VCLI's `--skip-domain` (docs/platforms.md): the reconciler moves domains itself.
            body["autoAssignCustomDomains"] = false
        case .staging: body["target"] = "staging"
        case .customEnvironment(let slug): body["customEnvironmentSlugOrId"] = .string(slug)
        }
        let json = try await call(
            .post, "/v13/deployments", query: [("forceNew", "1"), ("skipAutoDetectionConfirmation", "1")], body: .object(body),
            operation: "createDeployment", retry: .unprocessedOnly
        )
        guard let id = json["id"]?.stringValue else { throw invalidResponse("createDeployment", "no `id` in the created deployment") }
        return DeploymentID(id)
    }

    /// This rollout's deployment of `sha`, if one exists that has not failed, been cancelled,
    /// deleted or blocked:
    /// `GET /v7/deployments?projectId=&sha=&limit=100`, following `pagination.next` (at most 5 pages).
    func findDeployment(sha: String, rolloutID: String) async throws -> DeploymentID? {
        var until: String?
        for _ in 0..<5 {
            var query = [("projectId", configuration.projectId), ("sha", sha), ("limit", "100")]
            if let until { query.append(("until", until)) }
            let json = try await call(.get, "/v7/deployments", query: query, operation: "listDeployments")
            for item in json["deployments"]?.arrayValue ?? [] {
                guard item["meta"]?[configuration.rolloutMetaKey]?.stringValue == rolloutID,
                    let uid = item["uid"]?.stringValue
                else { continue }
                // This rollout's own deployment (the rollout id is in its `meta`), whatever became of
                // it: a failed, cancelled, BLOCKED or DELETED one is returned so the phase fails the
                // rollout with its status; it is never aliased, and never built a second time.
                return DeploymentID(uid)
            }
            guard let next = json["pagination"]?["next"]?.numberValue else { return nil }
            until = String(Int64(next))
        }
        return nil
    }

    /// `GET /v13/deployments/{id}?withGitRepoInfo=true`.
    public func deployment(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try requireFrontend(service, "getDeployment")
        let json = try await call(
            .get, "/v13/deployments/\(Self.encode(id.rawValue))", query: [("withGitRepoInfo", "true")], operation: "getDeployment"
        )
        return try observed(json)
    }

    /// `GET /v13/deployments/{id}`: ready while it exists and is READY; expired once retention
    /// deleted it (410 `DEPLOYMENT_DELETED`, or 404) or it never became READY. Aliasing any READY
    /// deployment is what `repoint` does, so nothing else limits it.
    public func rollbackReadiness(of id: DeploymentID, service: ServiceName) async throws -> RollbackReadiness {
        try requireFrontend(service, "getDeployment")
        do {
            let json = try await call(.get, "/v13/deployments/\(Self.encode(id.rawValue))", operation: "getDeployment")
            let current = try self.observed(json)
            guard current.status == .ready else {
                return RollbackReadiness(state: .expired, detail: "the deployment is \(current.rawStatus)")
            }
            return RollbackReadiness(state: .ready, detail: "the deployment exists and is READY")
        } catch let error as DeployerError where error.code == .notFound {
            return RollbackReadiness(state: .expired, detail: error.httpStatus == 410 ? "deleted by retention (410)" : "not found (404)")
        }
    }

    /// `PATCH /v12/deployments/{id}/cancel`; a deployment already terminal is returned as it is.
    public func cancel(_ id: DeploymentID, of service: ServiceName) async throws -> ObservedDeployment {
        try requireFrontend(service, "cancelDeployment")
        let current = try await deployment(id, of: service)
        guard !current.status.isTerminal else { return current }
        let json = try await call(.patch, "/v12/deployments/\(Self.encode(id.rawValue))/cancel", operation: "cancelDeployment")
        return try observed(json)
    }

    /// The deployment the alias points at: `GET /v4/aliases/{alias}`, then the deployment.
    public func observe(_ service: ServiceName) async throws -> ObservedDeployment? {
        try requireFrontend(service, "getAlias")
        guard let id = try await aliasTarget() else { return nil }
        return try await deployment(id, of: .frontend)
    }

    func observed(_ json: JSONValue) throws -> ObservedDeployment {
        guard let id = json["id"]?.stringValue ?? json["uid"]?.stringValue else {
            throw invalidResponse("getDeployment", "no `id` in the deployment")
        }
        let raw = json["readyState"]?.stringValue ?? json["status"]?.stringValue ?? "UNKNOWN"
        // gitSource.sha (withGitRepoInfo=true) first; meta.githubCommitSha is UNCONFIRMED for API
        // deployments (docs/platforms.md), then our own stamp.
        let sha =
            json["gitSource"]?["sha"]?.stringValue ?? json["meta"]?["githubCommitSha"]?.stringValue
            ?? json["meta"]?["reconcilerRevision"]?.stringValue
        let url = json["url"]?.stringValue.map { $0.hasPrefix("http") ? $0 : "https://\($0)" }
        let milliseconds = { (key: String) in json[key]?.numberValue.map { Date(timeIntervalSince1970: $0 / 1000) } }
        var observed = ObservedDeployment(
            id: DeploymentID(id), service: .frontend, platform: .vercel, commitSha: sha, image: nil,
            status: DeploymentStatus(vercel: raw), rawStatus: raw, url: url, createdAt: milliseconds("createdAt"),
            rolloutID: json["meta"]?[configuration.rolloutMetaKey]?.stringValue, dashboardURL: json["inspectorUrl"]?.stringValue
        )
        observed.buildingAt = milliseconds("buildingAt")
        observed.readyAt = milliseconds("ready")
        return observed
    }

    /// The queue (`createdAt` to `buildingAt`) and the build (`buildingAt` to `ready`), from the
    /// deployment as it was read: no request.
    public func platformSteps(of deployment: ObservedDeployment, service: ServiceName) async throws -> [PlatformStep] {
        var steps: [PlatformStep] = []
        if let created = deployment.createdAt, let building = deployment.buildingAt {
            steps.append(PlatformStep(service: service, step: "QUEUED", startedAt: created, endedAt: building))
        }
        if let building = deployment.buildingAt {
            steps.append(PlatformStep(service: service, step: "BUILDING", startedAt: building, endedAt: deployment.readyAt))
        }
        return steps
    }
}

extension VercelDeployer {
    /// `GET /v3/deployments/{id}/events?direction=backward&limit=N&follow=0`: the build's output
    /// (`stdout`, `stderr`, `command` events' `payload.text`), newest first as asked, returned
    /// oldest first.
    public func failureLog(of deployment: ObservedDeployment, service: ServiceName, limit: Int) async throws -> [String] {
        try requireFrontend(service, "getDeploymentEvents")
        let json = try await call(
            .get, "/v3/deployments/\(Self.encode(deployment.id.rawValue))/events",
            query: [("direction", "backward"), ("limit", String(limit)), ("follow", "0")], operation: "getDeploymentEvents")
        let lines = (json.arrayValue ?? []).compactMap { event -> String? in
            guard ["stdout", "stderr", "command"].contains(event["type"]?.stringValue ?? "") else { return nil }
            return event["payload"]?["text"]?.stringValue ?? event["text"]?.stringValue
        }
        return Array(lines.prefix(limit).reversed())
    }
}
