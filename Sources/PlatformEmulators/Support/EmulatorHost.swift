public import ClipnetJSON

/// Wraps an `EmulatedPlatform` with what every emulator shares: the admin endpoint under
/// `/_emulator/`, the request log and transport-level fault injection.
///
/// Admin endpoint (no auth; the server listens on loopback only), all bodies JSON:
/// - `GET  /_emulator/requests`: the request log.
/// - `POST /_emulator/requests/clear`: empties it.
/// - `POST /_emulator/faults/rate-limit` `{"count":N,"retryAfter":"1","matching"?:"..."}`: the next
///   N matching requests get 429 with that `Retry-After` (seconds or an HTTP date).
/// - `POST /_emulator/faults/server-error` `{"count":N,"status":503,"matching"?,"afterProcessing"?:false}`:
///   the next N matching requests get that 5xx; with `afterProcessing` the request takes effect first.
/// - `POST /_emulator/faults/delay` `{"count":N,"milliseconds":M,"matching"?}`: the next N requests
///   are answered after M ms.
/// - `POST /_emulator/faults/clear`: drops queued transport faults.
/// - anything else under `/_emulator/` goes to the platform's `handleAdmin`.
public struct EmulatorHost: Sendable {
    public static let adminPrefix = "/_emulator/"

    public let platform: any EmulatedPlatform
    public let log: RequestLog
    public let faults: FaultInjector
    /// Runs before each API request (not admin calls).
    public let beforeRequest = RequestHook()

    public init(platform: any EmulatedPlatform, log: RequestLog = RequestLog(), faults: FaultInjector = FaultInjector()) {
        self.platform = platform
        self.log = log
        self.faults = faults
    }

    /// Answers one request, admin or API.
    public func respond(to request: EmulatorRequest) async -> EmulatorResponse {
        if request.path.hasPrefix(Self.adminPrefix) {
            return await admin(request)
        }
        await beforeRequest.run()
        let sequence = log.record(request)
        let operation = platform.operationName(for: request)
        var injected = false
        var response: EmulatorResponse
        switch faults.take(path: request.path, operation: operation) {
        case .rateLimit(let retryAfter)?:
            injected = true
            response = platform.errorRenderer.rateLimited(retryAfter: retryAfter)
        case .serverError(let status)?:
            injected = true
            response = platform.errorRenderer.serverError(status: status)
        case .serverErrorAfterProcessing(let status)?:
            _ = await platform.handle(request)
            injected = true
            response = platform.errorRenderer.serverError(status: status)
        case .delay(let milliseconds)?:
            try? await Task.sleep(for: .milliseconds(milliseconds))
            response = await platform.handle(request)
        case nil:
            response = await platform.handle(request)
        }
        log.complete(sequence, status: response.status, operation: operation, injectedFault: injected)
        return response
    }

    private func admin(_ request: EmulatorRequest) async -> EmulatorResponse {
        let action = String(request.path.dropFirst(Self.adminPrefix.count))
        let body = request.json ?? .object([:])
        let count = Int(body["count"]?.numberValue ?? 1)
        let matching = body["matching"]?.stringValue
        switch (request.method, action) {
        case ("GET", "requests"):
            return .json(log.json)
        case ("POST", "requests/clear"):
            log.clear()
            return AdminReply.ok
        case ("POST", "faults/rate-limit"):
            faults.inject(.rateLimit(retryAfter: body["retryAfter"]?.stringValue ?? "1"), count: count, matching: matching)
            return AdminReply.ok
        case ("POST", "faults/server-error"):
            let status = Int(body["status"]?.numberValue ?? 503)
            guard (500...599).contains(status) else { return AdminReply.badRequest("status must be 5xx") }
            let fault: FaultInjector.Fault =
                body["afterProcessing"]?.boolValue == true
                ? .serverErrorAfterProcessing(status: status) : .serverError(status: status)
            faults.inject(fault, count: count, matching: matching)
            return AdminReply.ok
        case ("POST", "faults/delay"):
            faults.inject(.delay(milliseconds: Int(body["milliseconds"]?.numberValue ?? 1000)), count: count, matching: matching)
            return AdminReply.ok
        case ("POST", "faults/clear"):
            faults.clear()
            return AdminReply.ok
        default:
            guard request.method == "POST" || request.method == "GET" else { return AdminReply.notFound(action) }
            return await platform.handleAdmin(action: action, body: body) ?? AdminReply.notFound(action)
        }
    }
}

/// The answers of admin calls, shared so every emulator's admin endpoint looks alike.
public enum AdminReply {
    public static let ok = EmulatorResponse.json(["ok": true])

    public static func ok(_ fields: [String: JSONValue]) -> EmulatorResponse {
        var fields = fields
        fields["ok"] = true
        return .json(.object(fields))
    }

    public static func badRequest(_ message: String) -> EmulatorResponse {
        .json(["ok": false, "error": .string(message)], status: 400)
    }

    public static func notFound(_ action: String) -> EmulatorResponse {
        .json(["ok": false, "error": .string("unknown admin action \(action)")], status: 404)
    }

    /// Reads a required string field of an admin body, or answers 400.
    public static func require(_ body: JSONValue, _ field: String) -> Result<String, AdminFailure> {
        guard let value = body[field]?.stringValue, !value.isEmpty else {
            return .failure(AdminFailure(response: badRequest("missing string field \(field)")))
        }
        return .success(value)
    }
}

/// An admin call that cannot be carried out, with the answer to send.
public struct AdminFailure: Error, Sendable {
    public let response: EmulatorResponse
}
