import ClipnetJSON

/// The GraphQL documents the Railway client sends, exactly as in docs/platforms.md
/// (signatures from the public schema). `deploymentRollback` returns `Boolean!` and takes no
/// selection; `meta` is a JSON scalar and is selected whole.
enum RailwayOperations {
    static let deploymentFields = "id status statusUpdatedAt createdAt meta url staticUrl serviceId environmentId canRollback"

    static let deployment = """
        query deployment($id: String!) { deployment(id: $id) { \(deploymentFields) } }
        """

    static let deployments = """
        query deployments($input: DeploymentListInput!, $first: Int, $after: String) { \
        deployments(input: $input, first: $first, after: $after) { \
        edges { node { \(deploymentFields) } } pageInfo { hasNextPage endCursor } } }
        """

    static let serviceInstanceDeployV2 = """
        mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!, $commitSha: String) { \
        serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha) }
        """

    static let serviceInstanceUpdate = """
        mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) { \
        serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input) }
        """

    static let deploymentRollback = """
        mutation deploymentRollback($id: String!) { deploymentRollback(id: $id) }
        """

    /// A failed build's log, or a crashed deployment's runtime log (the same `Log` type).
    static func logs(_ field: String) -> String {
        "query \(field)($deploymentId: String!, $limit: Int) { \(field)(deploymentId: $deploymentId, limit: $limit) { message timestamp severity } }"
    }

    /// UNCONFIRMED shape (docs/platforms.md): asked for as a connection, Railway's list shape.
    static let deploymentEvents = """
        query deploymentEvents($id: String!) { deploymentEvents(id: $id, first: 50) { edges { node { step createdAt completedAt payload { durationMs error } } } } }
        """

    static let deploymentCancel = """
        mutation deploymentCancel($id: String!) { deploymentCancel(id: $id) }
        """

    static let variables = """
        query variables($projectId: String!, $environmentId: String!, $serviceId: String, $unrendered: Boolean) { \
        variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, unrendered: $unrendered) }
        """

    static let variableCollectionUpsert = """
        mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) { variableCollectionUpsert(input: $input) }
        """

    /// `services` is a Relay connection: read page by page (`$after` = the last `endCursor`).
    static let project = """
        query project($id: String!, $first: Int, $after: String) { project(id: $id) { id name \
        services(first: $first, after: $after) { edges { node { id name } } pageInfo { hasNextPage endCursor } } \
        environments { edges { node { id name } } } } }
        """

    /// One field that changes whenever the environment's configuration changes (docs/platforms.md).
    static let environmentConfigEtag = """
        query environment($id: String!, $projectId: String) { environment(id: $id, projectId: $projectId) { id configEtag } }
        """

    /// The variables a deployment ran with (docs/platforms.md).
    static let deploymentSnapshot = """
        query deploymentSnapshot($deploymentId: String!) { deploymentSnapshot(deploymentId: $deploymentId) { variables } }
        """

    static let serviceInstanceAutoDeployStatus = """
        query serviceInstanceAutoDeployStatus($environmentId: String!, $projectId: String!, $serviceId: String!) { \
        serviceInstanceAutoDeployStatus(environmentId: $environmentId, projectId: $projectId, serviceId: $serviceId) { \
        enabled canEnable reason } }
        """

    static let serviceInstanceAutoDeployUpdate = """
        mutation serviceInstanceAutoDeployUpdate($input: ServiceInstanceAutoDeployUpdateInput!) { \
        serviceInstanceAutoDeployUpdate(input: $input) { enabled } }
        """
}
