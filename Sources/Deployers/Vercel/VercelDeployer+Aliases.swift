public import ClipnetContracts
import ClipnetJSON
import HTTPTransport

/// The alias: what "live" means for the frontend, and the rollback primitive.
extension VercelDeployer {
    /// `POST /v2/deployments/{id}/aliases` `{"alias", "redirect": null}`, then confirms with
    /// `GET /v4/aliases/{alias}` that it points at `id` (docs/platforms.md: confirm the alias).
    public func repoint(_ service: ServiceName, to id: DeploymentID, reapplying variables: [DesiredVariable]) async throws -> DeploymentID {
        try requireFrontend(service, "assignAlias")
        _ = try await call(
            .post, "/v2/deployments/\(Self.encode(id.rawValue))/aliases",
            body: ["alias": .string(configuration.alias), "redirect": .null], operation: "assignAlias"
        )
        guard try await aliasTarget() == id else {
            throw DeployerError(
                .platformError, "\(configuration.alias) does not point at \(id) after assigning it", isRetryable: true,
                platform: .vercel, operation: "assignAlias"
            )
        }
        // A Vercel rollback serves the old build with its old env; the project env is re-applied
        // so the next build gets the desired variables.
        if !variables.isEmpty { try await upsertVariables(variables, for: service) }
        return id
    }

    /// `GET /v4/aliases/{alias}` → `deploymentId`; nil when the alias does not exist yet.
    func aliasTarget() async throws -> DeploymentID? {
        do {
            let json = try await call(.get, "/v4/aliases/\(Self.encode(configuration.alias))", operation: "getAlias")
            return json["deploymentId"]?.stringValue.map { DeploymentID($0) }
        } catch let error as DeployerError where error.code == .notFound {
            return nil
        }
    }
}
