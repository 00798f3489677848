/// The slice of Railway's public schema (docs/platforms.md, from `railwayapp/cli`
/// `src/gql/schema.json`) that the emulator serves: root fields with their arguments, input
/// objects with their required fields, and output types with their selectable fields. Requests are
/// validated against it the way a GraphQL server validates them.
enum RailwaySchema {
    struct Argument: Sendable {
        var type: String
        var inputObject: String?
        var isRequired: Bool { type.hasSuffix("!") }
        init(_ type: String, input: String? = nil) {
            self.type = type
            self.inputObject = input
        }
    }

    struct RootField: Sendable {
        var returnType: String
        var arguments: [String: Argument]
    }

    static let scalars: Set<String> = [
        "String", "Boolean", "Int", "Float", "DateTime", "DeploymentMeta", "EnvironmentVariables", "DeploymentStatus", "JSON",
    ]

    static let queries: [String: RootField] = [
        "project": RootField(returnType: "Project", arguments: ["id": Argument("String!")]),
        "deployment": RootField(returnType: "Deployment", arguments: ["id": Argument("String!")]),
        "deployments": RootField(
            returnType: "QueryDeploymentsConnection",
            arguments: [
                "input": Argument("DeploymentListInput!", input: "DeploymentListInput"),
                "first": Argument("Int"), "after": Argument("String"), "last": Argument("Int"), "before": Argument("String"),
            ]),
        "variables": RootField(
            returnType: "EnvironmentVariables",
            arguments: [
                "projectId": Argument("String!"), "environmentId": Argument("String!"), "serviceId": Argument("String"),
                "unrendered": Argument("Boolean"),
            ]),
        "serviceInstance": RootField(
            returnType: "ServiceInstance",
            arguments: [
                "environmentId": Argument("String!"), "serviceId": Argument("String!"),
            ]),
        "serviceInstanceAutoDeployStatus": RootField(
            returnType: "ServiceInstanceAutoDeployStatus",
            arguments: [
                "environmentId": Argument("String!"), "projectId": Argument("String!"), "serviceId": Argument("String!"),
            ]),
        "projectToken": RootField(returnType: "ProjectToken", arguments: [:]),
        "environment": RootField(returnType: "Environment", arguments: ["id": Argument("String!"), "projectId": Argument("String")]),
        "deploymentSnapshot": RootField(returnType: "DeploymentSnapshot", arguments: ["deploymentId": Argument("String!")]),
        // UNCONFIRMED whether the real field is a connection or a plain list (docs/platforms.md):
        // served as a connection, the shape of Railway's other lists; the client reads either.
        "deploymentEvents": RootField(
            returnType: "DeploymentDeploymentEventsConnection",
            arguments: ["id": Argument("String!"), "first": Argument("Int"), "after": Argument("String")]),
        "buildLogs": RootField(
            returnType: "Log",
            arguments: [
                "deploymentId": Argument("String!"), "limit": Argument("Int"), "filter": Argument("String"), "startDate": Argument("DateTime"),
                "endDate": Argument("DateTime"),
            ]),
        "deploymentLogs": RootField(
            returnType: "Log",
            arguments: [
                "deploymentId": Argument("String!"), "limit": Argument("Int"), "filter": Argument("String"), "startDate": Argument("DateTime"),
                "endDate": Argument("DateTime"),
            ]),
    ]

    static let mutations: [String: RootField] = [
        "serviceInstanceDeployV2": RootField(
            returnType: "String",
            arguments: [
                "serviceId": Argument("String!"), "environmentId": Argument("String!"), "commitSha": Argument("String"),
            ]),
        "serviceInstanceUpdate": RootField(
            returnType: "Boolean",
            arguments: [
                "serviceId": Argument("String!"), "environmentId": Argument("String"),
                "input": Argument("ServiceInstanceUpdateInput!", input: "ServiceInstanceUpdateInput"),
            ]),
        "deploymentRollback": RootField(returnType: "Boolean", arguments: ["id": Argument("String!")]),
        "deploymentCancel": RootField(returnType: "Boolean", arguments: ["id": Argument("String!")]),
        "variableCollectionUpsert": RootField(
            returnType: "Boolean",
            arguments: [
                "input": Argument("VariableCollectionUpsertInput!", input: "VariableCollectionUpsertInput")
            ]),
        "serviceInstanceAutoDeployUpdate": RootField(
            returnType: "ServiceInstanceAutoDeployPayload",
            arguments: [
                "input": Argument("ServiceInstanceAutoDeployUpdateInput!", input: "ServiceInstanceAutoDeployUpdateInput")
            ]),
    ]

    /// Input objects: field -> type (`!` = required).
    static let inputObjects: [String: [String: String]] = [
        "DeploymentListInput": [
            "projectId": "String", "environmentId": "String", "serviceId": "String", "status": "DeploymentStatusInput",
            "includeDeleted": "Boolean",
        ],
        "DeploymentStatusInput": ["in": "[DeploymentStatus!]", "notIn": "[DeploymentStatus!]"],
        "VariableCollectionUpsertInput": [
            "projectId": "String!", "environmentId": "String!", "serviceId": "String", "variables": "EnvironmentVariables!",
            "replace": "Boolean", "skipDeploys": "Boolean",
        ],
        "ServiceInstanceAutoDeployUpdateInput": [
            "enabled": "Boolean!", "environmentId": "String!", "projectId": "String!", "serviceId": "String!",
        ],
        "ServiceInstanceUpdateInput": [
            "source": "ServiceSourceInput", "buildCommand": "String", "startCommand": "String", "rootDirectory": "String",
            "healthcheckPath": "String", "healthcheckTimeout": "Int", "numReplicas": "Int", "region": "String",
            "restartPolicyType": "RestartPolicyType", "restartPolicyMaxRetries": "Int", "watchPatterns": "[String!]",
            "builder": "Builder", "registryCredentials": "RegistryCredentialsInput", "preDeployCommand": "[String!]",
            "cronSchedule": "String", "sleepApplication": "Boolean", "railwayConfigFile": "String",
        ],
        "ServiceSourceInput": ["image": "String", "repo": "String"],
        "RegistryCredentialsInput": ["username": "String!", "password": "String!"],
    ]

    /// Output object types: field -> type name (a list's element type; the value decides list-ness).
    static let objects: [String: [String: String]] = [
        "Project": [
            "id": "String", "name": "String", "description": "String", "createdAt": "DateTime", "updatedAt": "DateTime",
            "baseEnvironmentId": "String", "workspaceId": "String", "prDeploys": "Boolean",
            "services": "ProjectServicesConnection", "environments": "ProjectEnvironmentsConnection",
        ],
        "ProjectServicesConnection": ["edges": "ProjectServicesConnectionEdge", "pageInfo": "PageInfo"],
        "ProjectServicesConnectionEdge": ["cursor": "String", "node": "Service"],
        "Service": ["id": "String", "name": "String", "projectId": "String", "icon": "String", "createdAt": "DateTime"],
        "ProjectEnvironmentsConnection": ["edges": "ProjectEnvironmentsConnectionEdge", "pageInfo": "PageInfo"],
        "ProjectEnvironmentsConnectionEdge": ["cursor": "String", "node": "Environment"],
        "Environment": [
            "id": "String", "name": "String", "projectId": "String", "isEphemeral": "Boolean", "createdAt": "DateTime", "configEtag": "String",
        ],
        "DeploymentSnapshot": ["id": "String", "variables": "EnvironmentVariables"],
        "Log": ["message": "String", "timestamp": "DateTime", "severity": "String"],
        "DeploymentDeploymentEventsConnection": ["edges": "DeploymentDeploymentEventsConnectionEdge", "pageInfo": "PageInfo"],
        "DeploymentDeploymentEventsConnectionEdge": ["cursor": "String", "node": "DeploymentEvent"],
        "DeploymentEvent": [
            "id": "String", "step": "String", "createdAt": "DateTime", "completedAt": "DateTime", "payload": "DeploymentEventPayload",
        ],
        "DeploymentEventPayload": ["durationMs": "Int", "error": "String"],
        "PageInfo": ["hasNextPage": "Boolean", "hasPreviousPage": "Boolean", "startCursor": "String", "endCursor": "String"],
        "QueryDeploymentsConnection": ["edges": "QueryDeploymentsConnectionEdge", "pageInfo": "PageInfo"],
        "QueryDeploymentsConnectionEdge": ["cursor": "String", "node": "Deployment"],
        "Deployment": [
            "id": "String", "status": "DeploymentStatus", "statusUpdatedAt": "DateTime", "createdAt": "DateTime",
            "updatedAt": "DateTime", "meta": "DeploymentMeta", "url": "String", "staticUrl": "String", "projectId": "String",
            "environmentId": "String", "serviceId": "String", "snapshotId": "String", "canRedeploy": "Boolean",
            "canRollback": "Boolean", "deploymentStopped": "Boolean",
        ],
        "ServiceInstance": [
            "id": "String", "serviceId": "String", "environmentId": "String", "serviceName": "String",
            "latestDeployment": "Deployment", "activeDeployments": "Deployment", "source": "ServiceSource",
            "startCommand": "String", "buildCommand": "String", "healthcheckPath": "String", "numReplicas": "Int",
        ],
        "ServiceSource": ["image": "String", "repo": "String"],
        "ServiceInstanceAutoDeployStatus": ["enabled": "Boolean", "canEnable": "Boolean", "reason": "String"],
        "ServiceInstanceAutoDeployPayload": ["enabled": "Boolean"],
        "ProjectToken": ["projectId": "String", "environmentId": "String"],
    ]
}
