import ClipnetContracts

/// The manifest format: every key, whether it is required (in the layered result), and what
/// its value must look like. Change the format here; `docs/manifest.schema.json` is generated
/// from this and a test fails until it is regenerated.
enum ManifestShape {
    static let root = Shape.object(
        ObjectShape(
            summary: "a CLIPNET environment manifest",
            fields: [
                .required(
                    "version", .integer(min: ClipnetConfig.manifestVersion, max: ClipnetConfig.manifestVersion),
                    "the manifest format version, \(ClipnetConfig.manifestVersion)"),
                .required(
                    "environment", .string(.environmentName),
                    "the environment this manifest describes; must match the file name"),
                .required("frontend", frontend, "the Vercel frontend"),
                .required("railway", railway, "the Railway project: API and worker services, Redis and PostgreSQL"),
                .required("cloudinary", cloudinary, "where this environment's clips are stored"),
                .required("runpod", runpod, "the shared RunPod endpoint and this environment's namespace and models"),
                .optional("oauth", oauth, "OAuth clients by name (clipbot)"),
                .required("drift", drift, "what to do about each kind of drift: heal or report"),
                .required("rollout", rollout, "timeouts and the health gate of a rollout"),
            ]
        ))

    static let variables = Shape.map(
        MapShape(
            summary: "environment variables: plain values or secret references",
            keyRule: .variableName,
            value: .variableValue
        ))

    static let frontend = Shape.object(
        ObjectShape(
            summary: "the Vercel frontend",
            fields: [
                .optional(
                    "teamId", .string(.pattern("^team_[A-Za-z0-9]{8,}$", summary: "a Vercel team id", example: "team_4kQ9x2LmN7pR")),
                    "the Vercel team that owns the project"),
                .required(
                    "projectId", .string(.pattern("^prj_[A-Za-z0-9]{8,}$", summary: "a Vercel project id", example: "prj_8Hc2LkWq9ZtYb3Rn")),
                    "the Vercel project id"),
                .required(
                    "projectName", .string(.pattern("^[a-z0-9][a-z0-9._-]{0,99}$", summary: "a Vercel project name", example: "clipnet-web")),
                    "the Vercel project name"),
                .required("domain", .string(.domain), "the domain the reconciler points at the new deployment"),
                .optional(
                    "target",
                    .string(
                        .pattern("^[a-z0-9][a-z0-9-]{0,63}$", summary: "a Vercel deployment target or custom environment slug", example: "production")
                    ),
                    "the Vercel deployment target (production, or a custom environment)"),
                .required("repository", .string(.repository), "the GitHub repository Vercel builds from"),
                .optional("rootDirectory", .string(.relativePath), "the frontend's directory in the repository"),
                .optional("variables", variables, "the frontend's environment variables"),
            ]
        ))

    static let source = Shape.object(
        ObjectShape(
            summary: "where a service is built from: repo or image",
            fields: [
                .optional("repo", .string(.repository), "a GitHub repository built at the revision"),
                .optional("rootDirectory", .string(.relativePath), "the service's directory in the repository"),
                .optional("image", .string(.imageRepository), "an image repository, tagged with the revision"),
            ],
            atomic: true,
            exactlyOneOf: ["repo", "image"]
        ))

    static let serviceId = Field.required(
        "serviceId", .string(.uuid), "the Railway service id"
    )
    static let autoDeploy = Field.optional(
        "autoDeploy", .boolean, "whether Railway's own deploy-on-push stays on (default false: the reconciler deploys)"
    )
    static let webURL = StringFormat.url(schemes: ["https", "http"])

    static let api = Shape.object(
        ObjectShape(
            summary: "the Railway API service",
            fields: [
                serviceId,
                .required("source", source, "where the API is built from"),
                .required("url", .string(webURL), "the API's public base URL"),
                .required("healthUrl", .string(webURL), "answers 2xx when the API is healthy"),
                .required("versionUrl", .string(webURL), "answers with the revision the API runs"),
                autoDeploy,
                .optional("variables", variables, "the API's environment variables"),
            ]
        ))

    static let worker = Shape.object(
        ObjectShape(
            summary: "the Railway worker service",
            fields: [
                serviceId,
                .required("source", source, "where the worker is built from"),
                autoDeploy,
                .optional("variables", variables, "the worker's environment variables"),
            ]
        ))

    static func database(_ summary: String) -> Shape {
        .object(
            ObjectShape(
                summary: summary,
                fields: [
                    serviceId,
                    .required("url", .secretReference, "the connection URL, as a secret reference"),
                ]
            ))
    }

    static let railway = Shape.object(
        ObjectShape(
            summary: "the Railway project",
            fields: [
                .required("projectId", .string(.uuid), "the Railway project id"),
                .required("environmentId", .string(.uuid), "the Railway environment id"),
                .required(
                    "services",
                    .object(
                        ObjectShape(
                            summary: "the Railway services deployed together at one version",
                            fields: [
                                .required("api", api, "the API service"),
                                .required("worker", worker, "the worker service"),
                            ]
                        )), "the API and worker services"),
                .required("redis", database("the Railway Redis"), "the Railway Redis"),
                .required("postgres", database("the Railway PostgreSQL database"), "the Railway PostgreSQL database"),
            ]
        ))

    static let cloudinary = Shape.object(
        ObjectShape(
            summary: "the Cloudinary account and folder",
            fields: [
                .required("cloudName", .string(.lowercaseName), "the Cloudinary cloud name"),
                .required("folder", .string(.cloudinaryFolder), "this environment's folder (staging_clips/, prod_clips/)"),
            ]
        ))

    static let runpod = Shape.object(
        ObjectShape(
            summary: "the RunPod endpoint",
            fields: [
                .required(
                    "endpointId", .string(.pattern("^[a-z0-9]{8,32}$", summary: "a RunPod endpoint id", example: "x7k2m9p4q1w8")),
                    "the serverless endpoint, shared by staging and production"),
                .required("namespace", .string(.lowercaseName), "this environment's namespace, sent with every request"),
                .required(
                    "models",
                    .map(
                        MapShape(
                            summary: "model paths by model name",
                            keyRule: .lowercaseName,
                            value: .string(
                                .pattern(
                                    "^/?[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/?$", summary: "a model path",
                                    example: "/runpod-volume/staging/whisper-large-v3")),
                            minimumCount: 1
                        )), "this environment's model paths by model name"),
            ]
        ))

    static let oauth = Shape.map(
        MapShape(
            summary: "OAuth clients by name",
            keyRule: .lowercaseName,
            value: .object(
                ObjectShape(
                    summary: "an OAuth client",
                    fields: [
                        .required("clientId", .stringOrSecret(.text), "the client id, plain or as a secret reference"),
                        .required("clientSecret", .secretReference, "the client secret, as a secret reference"),
                    ]
                ))
        ))

    static let drift = Shape.object(
        ObjectShape(
            summary: "drift policies",
            fields: DriftPolicies.Kind.allCases.map { kind in
                .required(kind.rawValue, .enumeration(DriftPolicies.Action.allCases.map(\.rawValue)), "the policy for \(kind.rawValue) drift")
            }
        ))

    static let rollout = Shape.object(
        ObjectShape(
            summary: "rollout timing",
            fields: [
                .required("deployTimeoutSeconds", .integer(min: 60, max: 7200), "how long API and worker deployments may take"),
                .required("healthWindowSeconds", .integer(min: 0, max: 3600), "how long health URLs must answer 2xx (0: one check)"),
                .required("healthIntervalSeconds", .integer(min: 1, max: 300), "how often health URLs are probed"),
            ]
        ))

    /// The secret reference mapping `{secret: NAME}`.
    static let secretReference = ObjectShape(
        summary: "a secret reference",
        fields: [.required("secret", .string(.variableName), "the name of the environment variable or secrets-file key")],
        atomic: true
    )
}
