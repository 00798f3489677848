import Foundation

/// Where the worker's RunPod jobs go, from its variables.
///
/// The manifests name the shared endpoint by id (`RUNPOD_ENDPOINT_ID`, from `runpod.endpointId`);
/// RunPod's serverless API for an endpoint is `https://api.runpod.ai/v2/{endpoint_id}`
/// (docs.runpod.io/serverless/endpoints/operation-reference). `RUNPOD_ENDPOINT_URL`, when set,
/// overrides the URL built from the id (the emulator in tests and the demo, a proxy).
public enum RunPodEndpoint {
    public static let apiBaseURL = "https://api.runpod.ai/v2"

    /// The job types that run on the GPU and so need an endpoint.
    public static let gpuJobTypes = ["clip:process", "whisper:batch", "ml:score"]

    /// The models the handlers ask for, the variable that names each one's path, and what fails
    /// without it.
    public static let models: [(name: String, variable: String, usedBy: String)] = [
        ("blip", "RUNPOD_MODEL_BLIP", "clip:process captions (falls back to CLIP)"),
        ("clip", "RUNPOD_MODEL_CLIP", "clip:process's caption fallback when BLIP fails"),
        ("motion", "RUNPOD_MODEL_MOTION", "clip:process motion"),
        ("whisper", "RUNPOD_MODEL_WHISPER", "whisper:batch"),
        ("score", "RUNPOD_MODEL_SCORE", "ml:score"),
    ]

    /// The endpoint URL: `RUNPOD_ENDPOINT_URL` if set, else the API URL of `RUNPOD_ENDPOINT_ID`;
    /// nil when neither is set.
    /// - Throws: `PipelineStartupError` for a URL that is not http(s) or an id that is not an
    ///   endpoint id (letters, digits, `-` and `_`), naming the variable and never its value.
    public static func url(from environment: [String: String]) throws -> String? {
        func value(_ name: String) -> String? {
            environment[name].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let url = value("RUNPOD_ENDPOINT_URL") {
            let lowered = url.lowercased()
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else {
                throw PipelineStartupError(message: "RUNPOD_ENDPOINT_URL must be an http(s) URL, such as \(apiBaseURL)/<endpoint id>")
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        if let id = value("RUNPOD_ENDPOINT_ID") {
            guard id.count <= 64,
                id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
            else {
                throw PipelineStartupError(message: "RUNPOD_ENDPOINT_ID must be a RunPod endpoint id (letters, digits, '-' and '_')")
            }
            return "\(apiBaseURL)/\(id)"
        }
        return nil
    }

    /// The start-up refusal when GPU job types are to run and no endpoint is set.
    static var missing: PipelineStartupError {
        PipelineStartupError(
            message: "RunPod is not configured: set RUNPOD_ENDPOINT_ID (the shared endpoint's id; the worker calls "
                + "\(apiBaseURL)/<id>) or RUNPOD_ENDPOINT_URL; \(gpuJobTypes.joined(separator: ", ")) run on the GPU")
    }
}
