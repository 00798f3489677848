import Hummingbird

/// One row of the route table: a method and an exact path, who may call it, and its handler.
struct OperatorRoute: Sendable {
    /// What a caller must prove before the handler runs.
    enum Access: Sendable, Equatable {
        /// Public: anyone who can reach the port.
        case open
        /// `Authorization: Bearer <token>` of a role at least this one.
        case role(OperatorRole)
        /// A webhook's proof, checked by the handler (a signature needs the body): the name is
        /// the OpenAPI security scheme (`githubSignature`, `vercelSignature`, `railwayToken`).
        case webhook(scheme: String)
    }

    /// Gets the request and who made it (`OperatorCaller.anonymous` on public routes).
    typealias Handler = @Sendable (inout Request, OperatorCaller) async throws -> Response

    let method: HTTPRequest.Method
    let path: String
    let access: Access
    let handler: Handler

    init(_ method: HTTPRequest.Method, _ path: String, _ access: Access, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.access = access
        self.handler = handler
    }
}
