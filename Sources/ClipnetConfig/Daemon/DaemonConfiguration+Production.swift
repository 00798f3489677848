/// Production's daemon is the same binary with stricter rules: it rolls out only what was
/// promoted to it. Promotion moves one branch (`refs/heads/production` by default, a fast-forward
/// pushed by staging's `reconciler promote`), so production follows that branch and nothing else:
/// no tag and no GitHub deployment request marks a build for it, and it never follows the
/// branch staging follows (`develop`).
extension DaemonConfiguration {
    /// The branch production follows when its file does not say.
    public static let productionBranch = "production"
    /// The branch staging follows: never production's.
    static let stagingBranch = "develop"

    /// Whether this daemon runs production (and so takes only promoted revisions).
    public var isProduction: Bool { environment == EnvironmentConventions.production }

    /// Why a GitHub deployment request cannot mark a build here; nil: requests are taken.
    public var deploymentRequestRefusal: String? {
        if isProduction {
            return "\(environment) follows only promoted revisions (branch \(repository.branch), moved by `reconciler promote`); "
                + "a deployment request does not mark a build for it"
        }
        return github?.requestTask == nil ? "deployment requests are off: set github.requestTask to take them" : nil
    }

    /// The key naming the other environment's fingerprints file in `environment`'s daemon file.
    static func fingerprintsKey(counterpartOf environment: String) -> String {
        EnvironmentConventions.counterpart(of: environment) == EnvironmentConventions.production
            ? "productionFingerprintsFile" : "stagingFingerprintsFile"
    }

    /// Each daemon names only the other environment's fingerprints: a staging daemon given
    /// `stagingFingerprintsFile` (or production given production's) would check against itself.
    static func fingerprintsDiagnostics(_ root: ConfigNode) -> [Diagnostic] {
        let environment = root["environment"]?.string ?? DaemonConfiguration.defaults.environment
        let expected = fingerprintsKey(counterpartOf: environment)
        return ["productionFingerprintsFile", "stagingFingerprintsFile"].filter { $0 != expected }.compactMap { key in
            root.entry(key).map {
                Diagnostic(
                    .invalidValue, at: $0.keyLocation,
                    "a \(environment) daemon checks isolation against \(EnvironmentConventions.counterpart(of: environment)): name that file as \(expected)"
                )
            }
        }
    }

    /// The rules production's file must keep, as `file:line:column` diagnostics.
    static func productionDiagnostics(_ root: ConfigNode) -> [Diagnostic] {
        guard root["environment"]?.string == EnvironmentConventions.production else { return [] }
        var found: [Diagnostic] = []
        let repository = root["repository"]
        if let entry = repository?.entry("markTags") {
            found.append(
                Diagnostic(
                    .invalidValue, at: entry.keyLocation,
                    "production follows only promoted revisions: a tag cannot mark a build for it; remove repository.markTags"))
        }
        if let entry = root["github"]?.entry("requestTask") {
            found.append(
                Diagnostic(
                    .invalidValue, at: entry.keyLocation,
                    "production follows only promoted revisions: a deployment request cannot mark a build for it; remove github.requestTask"))
        }
        if let entry = repository?.entry("branch"), entry.value.string == stagingBranch {
            found.append(
                Diagnostic(
                    .invalidValue, at: entry.value.location,
                    "production must follow the branch `reconciler promote` moves (\(productionBranch) by default), never \(stagingBranch)"))
        }
        return found
    }
}
