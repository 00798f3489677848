/// One place where an environment names a resource of the other. Says which resource, which
/// side, and where, and never the value (it may be a secret).
public struct IsolationViolation: Sendable, Hashable, Encodable, CustomStringConvertible {
    public let resource: IsolationResource
    /// The environment whose configuration names the resource.
    public let environment: String
    /// The environment that owns the resource.
    public let owner: String
    /// What names it: a manifest path, `live variable X of service Y`, or `worker setting X`.
    public let subject: String
    /// The secret reference the value came through, if any.
    public let secret: String?
    /// Where in the manifest, for manifest checks.
    public let location: SourceLocation?

    public var message: String {
        let through = secret.map { " through secret \($0)" } ?? ""
        return "\(subject)\(through): \(environment) names \(owner)'s \(resource.phrase); expected a \(environment) resource"
    }

    /// `file:line:column: message` when there is a location, else the message.
    public var description: String {
        location.map { "\($0): \(message)" } ?? message
    }

    /// As a diagnostic for `reconciler validate`.
    public var diagnostic: Diagnostic {
        Diagnostic(.isolation, at: location ?? .file(subject), message)
    }
}
