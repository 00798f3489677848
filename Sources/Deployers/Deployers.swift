/// One client per platform (Vercel REST, Railway GraphQL) behind one protocol, over HTTPTransport.
/// Filled by the Deployers issue.
public enum Deployers {}
