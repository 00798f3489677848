import ClipnetContracts
import Hummingbird
import Logging
import Prometheus
import Reconciler

/// The mutating routes. The responder has already checked the token and its role; each handler
/// reads its body under the size limit, validates it, asks the daemon, and logs and counts what
/// was done and by whom.
extension OperatorAPI {
    /// `operator_actions_total{action, actor}`: the actor is the token's name (or `shared-token`),
    /// never the free-text label, so the series stay bounded by the token file.
    static var actionsDescriptor: MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: "operator_actions", unitName: "total", helpText: "Operator actions accepted, by action and token name")
    }

    func count(_ action: String, _ caller: OperatorCaller) {
        registry.makeCounter(descriptor: Self.actionsDescriptor, labels: [("action", action), ("actor", caller.metricsLabel)]).increment()
    }

    func reconcile(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(ReconcileRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let retry = try Self.flag(request.uri.queryParameters.get("retry")) ?? body.retry ?? false
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        try await control.reconcile(retry: retry, by: actor)
        count(retry ? "retry" : "reconcile", caller)
        logger.info(
            "Operator asked for a reconcile", metadata: ["operator.action": "\(retry ? "retry" : "reconcile")", "operator.actor": "\(actor)"])
        return try JSONBody.response(ReconcileAnswer(retry: retry), status: .accepted)
    }

    func pin(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(PinRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let revision = try Self.revision(body.revision.required("revision"), field: "revision")
        let reason = try body.reason.required("reason")
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        let force = body.force ?? false
        let record = try await control.pin(revision, reason: reason, by: actor, force: force)
        count("pin", caller)
        logger.notice(
            "Operator pinned a revision",
            metadata: ["operator.action": "pin", "operator.actor": "\(actor)", "revision": "\(record.revision)", "pin.forced": "\(force)"])
        return try JSONBody.response(PinAnswer(pin: record))
    }

    func unpin(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(UnpinRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        try await control.unpin(reason: body.reason.nonBlank, by: actor)
        count("unpin", caller)
        logger.notice("Operator unpinned", metadata: ["operator.action": "unpin", "operator.actor": "\(actor)"])
        return try JSONBody.response(UnpinAnswer(following: control.branch))
    }

    func unmark(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(UnmarkRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        let cleared = try await control.unmark(reason: body.reason.nonBlank, by: actor)
        count("unmark", caller)
        logger.notice(
            "Operator cleared the deployment request",
            metadata: ["operator.action": "unmark", "operator.actor": "\(actor)", "revision": "\(cleared?.revision ?? "-")"])
        return try JSONBody.response(UnmarkAnswer(cleared: cleared, source: control.status().document.desired.source))
    }

    func rollback(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(RollbackRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let reason = try body.reason.required("reason")
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        let target = try await control.rollback(to: body.to.nonBlank.map { try Self.revision($0, field: "to") }, reason: reason, by: actor)
        count("rollback", caller)
        logger.notice(
            "Operator rolled back",
            metadata: ["operator.action": "rollback", "operator.actor": "\(actor)", "revision": "\(target.revision)"])
        return try JSONBody.response(RollbackAnswer(rolledBackTo: target))
    }

    func promote(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(PromoteRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let revision = try Self.revision(try body.revision.required("revision"), field: "revision")
        let reason = try body.reason.required("reason")
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        let promotion = try await control.promote(revision, reason: reason, by: actor)
        count("promote", caller)
        logger.notice(
            "Operator promoted",
            metadata: [
                "operator.action": "promote", "operator.actor": "\(actor)", "revision": "\(promotion.revision)",
                "promotion.branch": "\(promotion.branch)",
            ])
        return try JSONBody.response(promotion)
    }

    func cleanupPreview(_ request: inout Request, _ caller: OperatorCaller) async throws -> Response {
        let body = try JSONBody.decode(
            CleanupPreviewRequest.self, from: try await RequestBody.collect(&request, limit: configuration.maximumBodySize))
        let actor = try Actor.resolve(body: body.by, request: request, caller: caller)
        let result = try await control.cleanupPreviewVariables(apply: body.apply ?? false, by: actor)
        count(body.apply == true ? "cleanup-preview-apply" : "cleanup-preview", caller)
        return try JSONBody.response(result)
    }

    /// Longest revision accepted: a full ref name is at most 255 bytes per component in practice,
    /// and longer text only reached libgit2 to fail there (a 1,019-character one came back as
    /// `503 unavailable`, "try again", for ever).
    static let maximumRevisionLength = 255

    /// A revision as written by an operator (commit id, tag or branch), or a 400: over-long, or
    /// not printable ASCII without spaces (docs/openapi.yaml has the same rule as a pattern).
    static func revision(_ text: String, field: String) throws -> String {
        guard text.utf8.count <= maximumRevisionLength else {
            throw APIError.invalidRequest("field '\(field)' is longer than \(maximumRevisionLength) characters; expected a commit id, tag or branch")
        }
        guard text.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw APIError.invalidRequest(
                "field '\(field)' contains spaces, control or non-ASCII characters; expected a commit id, tag or branch")
        }
        return text
    }

    /// `1`, `true`, `yes` / `0`, `false`, `no`; nil when absent; 400 otherwise.
    static func flag(_ text: String?) throws -> Bool? {
        guard let text else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "": return true
        case "0", "false", "no": return false
        default: throw APIError.invalidRequest("retry must be 1 or 0 (true or false)")
        }
    }
}
