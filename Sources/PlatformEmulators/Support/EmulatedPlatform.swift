public import ClipnetJSON

/// One emulated API (Vercel, Railway, RunPod...): the part of an emulator that knows the
/// platform. The shared `EmulatorHost` adds the request log, fault injection and the admin
/// endpoint around it, and `EmulatorServer` puts it on a loopback port.
public protocol EmulatedPlatform: Sendable {
    /// Renders the shared machinery's errors in this platform's shape.
    var errorRenderer: any PlatformErrorRenderer { get }

    /// The operation a request invokes, for the request log and fault matching: the GraphQL root
    /// field names for a GraphQL API; nil for REST (the path identifies it).
    func operationName(for request: EmulatorRequest) -> String?

    /// Answers one API request. Never throws: every failure is an answer in the platform's shape.
    func handle(_ request: EmulatorRequest) async -> EmulatorResponse

    /// Answers a platform-specific admin call `POST /_emulator/<action>` (seeding commits,
    /// platform faults, drift); nil when `action` is not one of this platform's.
    func handleAdmin(action: String, body: JSONValue) async -> EmulatorResponse?
}
