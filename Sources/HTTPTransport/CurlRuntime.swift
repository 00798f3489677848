internal import CCurl
import Synchronization

/// libcurl's process-wide state, initialised explicitly and cleaned up when the last owner goes.
///
/// Why explicit: `curl_global_init` is not something to hide in a static initialiser (STYLE, "What
/// to avoid" 1). `main` creates one and hands it to every `HTTPClient`, which keep it alive;
/// tests may create one per suite. libcurl counts init/cleanup pairs itself, and the calls are
/// serialised here because older libcurl builds are not thread-safe in these two functions.
public final class CurlRuntime: Sendable {
    private static let globalLock = Mutex(())

    public init() throws {
        let code = Self.globalLock.withLock { _ in curl_global_init(Int(CURL_GLOBAL_ALL)) }
        guard code == CURLE_OK else {
            throw HTTPTransportError(.other, "curl_global_init failed: \(String(cString: curl_easy_strerror(code)))")
        }
    }

    deinit {
        Self.globalLock.withLock { _ in curl_global_cleanup() }
    }

    /// libcurl's version line (`libcurl/7.88.1 OpenSSL/3.0.x ...`), for startup logs.
    public var version: String { String(cString: curl_version()) }
}
