/// The resources one environment owns and the other must never name.
public enum IsolationResource: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case redis
    case postgres
    case oauthClientSecret
    case oauthClientId
    case apiUrl
    case cloudinaryFolder
    case runpodNamespace
    case runpodModelPath
    case frontendDomain

    /// Used in violation messages: says what was compared, never the value.
    public var phrase: String {
        switch self {
        case .redis: "Redis (host, port, database)"
        case .postgres: "PostgreSQL database (host, port, database)"
        case .oauthClientSecret: "OAuth client secret"
        case .oauthClientId: "OAuth client id"
        case .apiUrl: "API URL"
        case .cloudinaryFolder: "Cloudinary folder"
        case .runpodNamespace: "RunPod namespace"
        case .runpodModelPath: "RunPod model path"
        case .frontendDomain: "frontend domain"
        }
    }

    /// Declaration order, which is also the order of precedence when one value matches several.
    public static func < (lhs: IsolationResource, rhs: IsolationResource) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
