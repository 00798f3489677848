import Foundation

/// Checks that need more than one value at a time, run on the layered tree. Each reads values
/// defensively: a value of the wrong type was already reported and is skipped here.
enum SemanticChecks {
    static func run(_ root: ConfigNode, environment: String, file: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        checkEnvironment(root, environment: environment, file: file, into: &diagnostics)
        checkDuplicateServices(root, into: &diagnostics)
        checkFolder(root, environment: environment, into: &diagnostics)
        checkHealthGate(root, into: &diagnostics)
        checkVariables(root, into: &diagnostics)
        return diagnostics
    }

    private static func checkEnvironment(
        _ root: ConfigNode, environment: String, file: String,
        into diagnostics: inout [Diagnostic]
    ) {
        guard let node = root["environment"], let named = node.string, named != environment else { return }
        diagnostics.append(
            Diagnostic(
                .invalidValue, at: node.location,
                "environment: '\(named)' does not match the manifest file \(file); expected '\(environment)'"))
    }

    /// Two entries naming one Railway service would deploy over each other.
    private static func checkDuplicateServices(_ root: ConfigNode, into diagnostics: inout [Diagnostic]) {
        let railway = root["railway"]
        let candidates: [(String, ConfigNode?)] = [
            ("railway.services.api", railway?["services"]?["api"]?["serviceId"]),
            ("railway.services.worker", railway?["services"]?["worker"]?["serviceId"]),
            ("railway.redis", railway?["redis"]?["serviceId"]),
            ("railway.postgres", railway?["postgres"]?["serviceId"]),
        ]
        var seen: [String: (path: String, location: SourceLocation)] = [:]
        for (path, node) in candidates {
            guard let node, let id = node.string else { continue }
            if let first = seen[id] {
                diagnostics.append(
                    Diagnostic(
                        .duplicateService, at: node.location,
                        "\(path).serviceId: duplicate service: the same Railway service as \(first.path) (\(first.location)); expected a distinct service id"
                    ))
            } else {
                seen[id] = (path, node.location)
            }
        }
    }

    private static func checkFolder(_ root: ConfigNode, environment: String, into diagnostics: inout [Diagnostic]) {
        guard let node = root["cloudinary"]?["folder"], let folder = node.string,
            StringFormat.cloudinaryFolder.matches(folder)
        else { return }
        let expected = EnvironmentConventions.cloudinaryFolder(for: environment)
        if folder != expected {
            diagnostics.append(
                Diagnostic(
                    .invalidValue, at: node.location,
                    "cloudinary.folder: '\(folder)' is not the \(environment) folder; expected '\(expected)'"))
        }
    }

    private static func checkHealthGate(_ root: ConfigNode, into diagnostics: inout [Diagnostic]) {
        guard let rollout = root["rollout"],
            let window = rollout["healthWindowSeconds"]?.int,
            let intervalNode = rollout["healthIntervalSeconds"], let interval = intervalNode.int,
            window > 0, interval > window, isInRange(window, "healthWindowSeconds"), isInRange(interval, "healthIntervalSeconds")
        else { return }
        diagnostics.append(
            Diagnostic(
                .invalidValue, at: intervalNode.location,
                "rollout.healthIntervalSeconds: \(interval) is longer than rollout.healthWindowSeconds (\(window)); expected at most \(window)"
            ))
    }

    /// Whether a rollout value is within its shape's range (out-of-range ones are already reported).
    private static func isInRange(_ value: Int, _ field: String) -> Bool {
        guard case .object(let rollout) = ManifestShape.rollout,
            case .integer(let min, let max)? = rollout.field(field)?.shape
        else { return false }
        return (min...max).contains(value)
    }

    /// Variables that must not be plain, and variables that restate a structured value (the
    /// worker reads its folder, namespace and models from variables; they must not disagree with
    /// what the isolation policy checked).
    private static func checkVariables(_ root: ConfigNode, into diagnostics: inout [Diagnostic]) {
        var mirrored: [String: (path: String, value: String?)] = [
            "CLIPNET_ENVIRONMENT": ("environment", root["environment"]?.string),
            "CLOUDINARY_FOLDER": ("cloudinary.folder", root["cloudinary"]?["folder"]?.string),
            "RUNPOD_NAMESPACE": ("runpod.namespace", root["runpod"]?["namespace"]?.string),
            "RUNPOD_ENDPOINT_ID": ("runpod.endpointId", root["runpod"]?["endpointId"]?.string),
            "CLIPBOT_CLIENT_ID": ("oauth.clipbot.clientId", root["oauth"]?["clipbot"]?["clientId"]?.string),
        ]
        for entry in root["runpod"]?["models"]?.entries ?? [] {
            let variable = "RUNPOD_MODEL_" + entry.key.uppercased().replacingOccurrences(of: "-", with: "_")
            mirrored[variable] = ("runpod.models.\(entry.key)", entry.value.string)
        }
        let maps: [(String, ConfigNode?)] = [
            ("frontend.variables", root["frontend"]?["variables"]),
            ("railway.services.api.variables", root["railway"]?["services"]?["api"]?["variables"]),
            ("railway.services.worker.variables", root["railway"]?["services"]?["worker"]?["variables"]),
        ]
        for (prefix, map) in maps {
            for entry in map?.entries ?? [] {
                guard let text = entry.value.scalarText, entry.value.scalarType != .null else { continue }
                let path = "\(prefix).\(entry.key)"
                if let endpoint = Endpoint(parsing: text), endpoint.userinfo?.contains(":") == true {
                    diagnostics.append(
                        Diagnostic(
                            .invalidValue, at: entry.value.location,
                            "\(path): a URL with a password must be a secret reference {secret: NAME}, not plain text"
                        ))
                }
                if let mirror = mirrored[entry.key], let expected = mirror.value, text != expected {
                    diagnostics.append(
                        Diagnostic(
                            .invalidValue, at: entry.value.location,
                            "\(path): '\(text)' differs from \(mirror.path); expected '\(expected)'"
                        ))
                }
            }
        }
    }
}
