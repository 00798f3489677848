public import HTTPTypes
public import Hummingbird
import Logging
import Reconciler

/// Dispatches requests to the operator API's routes and turns every failure into the API's error
/// shape.
///
/// Why not Hummingbird's `Router`: its trie answers 404 for a known path with the wrong method,
/// and the API promises 405 with an `Allow` header; every route here is an exact path, so a
/// dictionary lookup does the whole job.
public struct OperatorResponder: HTTPResponder {
    public typealias Context = BasicRequestContext

    private let table: [String: [HTTPRequest.Method: OperatorRoute]]
    private let authorization: OperatorAuthorization
    private let logger: Logger

    init(routes: [OperatorRoute], authorization: OperatorAuthorization, logger: Logger) {
        var table: [String: [HTTPRequest.Method: OperatorRoute]] = [:]
        for route in routes {
            precondition(table[route.path]?[route.method] == nil, "two routes for \(route.method) \(route.path)")
            table[route.path, default: [:]][route.method] = route
        }
        self.table = table
        self.authorization = authorization
        self.logger = logger
    }

    /// One served route, as the OpenAPI document should describe it.
    public struct RouteDescription: Sendable, Hashable {
        public let method: String
        public let path: String
        /// `none`, `operatorToken`, or a webhook's security scheme (`githubSignature`,
        /// `vercelSignature`, `railwayToken`).
        public let authentication: String
        /// The least role a token needs (`operatorToken` routes only).
        public let role: OperatorRole?
    }

    /// Every route served, sorted by path and method: what the OpenAPI conformance test compares
    /// with docs/openapi.yaml.
    public var routes: [RouteDescription] {
        table.flatMap { path, methods in
            methods.values.map { route in
                switch route.access {
                case .open: RouteDescription(method: route.method.rawValue, path: path, authentication: "none", role: nil)
                case .role(let role): RouteDescription(method: route.method.rawValue, path: path, authentication: "operatorToken", role: role)
                case .webhook(let scheme): RouteDescription(method: route.method.rawValue, path: path, authentication: scheme, role: nil)
                }
            }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// Sent with every answer, so a client can tell the reconciler from whatever else answers at
    /// an address (another service's 401 is not the reconciler refusing).
    public static let marker = HTTPField.Name("X-Reconciler-API")!
    public static let markerValue = "1"

    public func respond(to request: Request, context: Context) async throws -> Response {
        var response = try await answer(request)
        response.headers[Self.marker] = Self.markerValue
        return response
    }

    private func answer(_ request: Request) async throws -> Response {
        let path = Self.normalized(request.uri.path)
        guard let methods = table[path] else {
            return JSONBody.error(.notFound(path))
        }
        let isHead = request.method == .head
        guard let route = methods[isHead ? .get : request.method] else {
            var allowed = Array(methods.keys)
            if methods[.get] != nil { allowed.append(.head) }
            return JSONBody.error(.methodNotAllowed(request.method, allowed: allowed.sorted { $0.rawValue < $1.rawValue }))
        }
        do {
            var caller = OperatorCaller.anonymous
            if case .role(let role) = route.access {
                caller = try authorization.check(request, needs: role, route: "\(route.method.rawValue) \(path)")
            }
            var request = request
            let response = try await route.handler(&request, caller)
            return isHead ? response.createHeadResponse() : response
        } catch let error as APIError {
            return JSONBody.error(error)
        } catch let error as OperatorError {
            return JSONBody.error(APIError(error))
        } catch {
            // The only place an unexpected error is seen: logged here with what it was, answered
            // without any of it.
            logger.error(
                "Operator API request failed",
                metadata: [
                    "http.method": "\(request.method.rawValue)", "http.path": "\(path)", "error.type": "\(String(reflecting: type(of: error)))",
                    "error": "\(error)",
                ])
            return JSONBody.error(.internalError)
        }
    }

    /// `/status/` is `/status`; the root stays `/`.
    static func normalized(_ path: String) -> String {
        var path = path.isEmpty ? "/" : path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
