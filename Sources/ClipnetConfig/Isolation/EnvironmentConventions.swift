/// The two environments of CLIPNET Phase 1 and what tells them apart by convention.
public enum EnvironmentConventions {
    public static let staging = "staging"
    public static let production = "production"

    /// The environment whose resources `environment` must never name: production for staging
    /// (and for any other non-production environment), staging for production.
    public static func counterpart(of environment: String) -> String {
        environment == production ? staging : production
    }

    /// The Cloudinary folder an environment owns: `prod_clips/` for production, else
    /// `<environment>_clips/` (`staging_clips/`).
    public static func cloudinaryFolder(for environment: String) -> String {
        environment == production ? "prod_clips/" : "\(environment)_clips/"
    }
}
