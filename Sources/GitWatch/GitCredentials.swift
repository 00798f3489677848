internal import CGit2
import Foundation

/// How the mirror authenticates to its remote. Secrets are referenced (an environment variable
/// name, a key file path), read at fetch time so a rotated token is picked up, and never logged.
public enum GitCredentials: Sendable, Equatable {
    /// Local paths, `file://`, public https.
    case none
    /// `https://` with a token (e.g. a GitHub token) read from `environmentVariable`.
    case httpsToken(environmentVariable: String, username: String = "x-access-token")
    /// `ssh://` or scp-like URLs with a private key file; the passphrase, if any, from an environment variable.
    case sshKey(privateKeyPath: String, publicKeyPath: String? = nil, passphraseEnvironmentVariable: String? = nil)
    /// `ssh://` through the running ssh-agent.
    case sshAgent
}

/// A `user:password@` taken out of the remote URL when the mirror is opened: kept in memory and
/// handed to libgit2 only through the credential callback, so it is never written to the mirror's
/// `config`. Its description hides the password.
struct EmbeddedCredentials: Sendable, CustomStringConvertible {
    let username: String
    let password: String

    var description: String { "\(username):<redacted>" }
}

/// What the fetch callbacks need, passed to C as the callbacks' payload. Only touched on the
/// thread running `git_remote_fetch`.
final class FetchCallbackContext {
    let credentials: GitCredentials
    let embedded: EmbeddedCredentials?
    let deadline: ContinuousClock.Instant?
    var credentialAttempts = 0
    /// Set by a callback that aborts the fetch, so the error says why rather than "user cancelled".
    var failure: GitError?
    /// A push the remote refused, with its reason (`push_update_reference`).
    var rejection: String?

    init(credentials: GitCredentials, embedded: EmbeddedCredentials?, deadline: ContinuousClock.Instant?) {
        self.credentials = credentials
        self.embedded = embedded
        self.deadline = deadline
    }
}

/// libgit2 asks again after a rejected credential; answering once and then failing stops it from
/// looping, and turns the rejection into an `.authentication` error.
let fetchCredentialCallback: git_credential_acquire_cb = { out, _, usernameFromURL, allowedTypes, payload in
    guard let payload, let out else { return -1 }
    let context = Unmanaged<FetchCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    context.credentialAttempts += 1
    if context.credentialAttempts > 1 {
        context.failure = GitError(.authentication, "the remote rejected the configured credentials", function: "git_remote_fetch")
        return -1
    }
    let urlUser = usernameFromURL.map { String(cString: $0) }
    switch context.credentials {
    case .none:
        guard let embedded = context.embedded, allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else {
            return Int32(GIT_PASSTHROUGH.rawValue)
        }
        return git_credential_userpass_plaintext_new(out, embedded.username, embedded.password)
    case .httpsToken(let variable, let username):
        guard allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else { return Int32(GIT_PASSTHROUGH.rawValue) }
        guard let token = ProcessInfo.processInfo.environment[variable], !token.isEmpty else {
            context.failure = GitError(.authentication, "the token variable \(variable) is not set", function: "credentials")
            return -1
        }
        return git_credential_userpass_plaintext_new(out, username, token)
    case .sshKey(let privateKeyPath, let publicKeyPath, let passphraseVariable):
        guard allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return Int32(GIT_PASSTHROUGH.rawValue) }
        let passphrase = passphraseVariable.flatMap { ProcessInfo.processInfo.environment[$0] }
        return git_credential_ssh_key_new(out, urlUser ?? "git", publicKeyPath, privateKeyPath, passphrase)
    case .sshAgent:
        guard allowedTypes & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return Int32(GIT_PASSTHROUGH.rawValue) }
        return git_credential_ssh_key_from_agent(out, urlUser ?? "git")
    }
}

/// libgit2 1.5 has no network timeout setting (it arrived in 1.7). Sockets wait against the
/// deadline in `DeadlineSocketStream`; a local transfer (no socket) past its deadline is
/// cancelled here, from the progress callback libgit2 calls while data flows.
let fetchProgressCallback: git_indexer_progress_cb = { _, payload in
    guard let payload else { return 0 }
    let context = Unmanaged<FetchCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    if let deadline = context.deadline, ContinuousClock.now > deadline {
        context.failure = GitError(.deadlineExceeded, DeadlineSocketStream.deadlineMessage, function: "git_remote_fetch")
        return -1
    }
    return 0
}

/// Where the remote answers for each pushed reference: a status means it refused that one (not a
/// fast-forward, a protected branch, a hook).
let pushUpdateReferenceCallback: git_push_update_reference_cb = { reference, status, payload in
    guard let payload, let status else { return 0 }
    let context = Unmanaged<FetchCallbackContext>.fromOpaque(payload).takeUnretainedValue()
    context.rejection = "\(reference.map { String(cString: $0) } ?? "?"): \(String(cString: status))"
    return 0
}
