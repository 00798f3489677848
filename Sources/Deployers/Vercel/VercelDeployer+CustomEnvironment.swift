import ClipnetJSON
import HTTPTransport
import Synchronization

/// The id of the custom environment the frontend deploys to (e.g. `staging`), resolved once.
///
/// Variables are attached to a custom environment by id (`customEnvironmentIds`), while the
/// manifest names it by slug; the id does not change for the environment's life, so one lookup
/// per process is enough.
final class CustomEnvironmentCache: Sendable {
    private let resolved = Mutex<[String: String]>([:])

    func id(for slug: String) -> String? { resolved.withLock { $0[slug] } }
    func store(_ id: String, for slug: String) { resolved.withLock { $0[slug] = id } }
}

extension VercelDeployer {
    /// `GET /v9/projects/{id}/custom-environments/{slugOrId}` → `id` (docs/platforms.md), cached.
    /// - Returns: nil when the target is not a custom environment.
    /// - Throws: `notFound` when the project has no such environment (create it in the dashboard).
    func customEnvironmentID() async throws -> String? {
        guard let slug = configuration.target.customEnvironmentSlug else { return nil }
        if let cached = customEnvironments.id(for: slug) { return cached }
        let json = try await call(
            .get, "/v9/projects/\(Self.encode(configuration.projectId))/custom-environments/\(Self.encode(slug))",
            operation: "getCustomEnvironment"
        )
        guard let id = json["id"]?.stringValue else { throw invalidResponse("getCustomEnvironment", "no `id` in the custom environment") }
        customEnvironments.store(id, for: slug)
        return id
    }
}
