import ClipnetJSON
import Foundation

/// Reads the revision out of a version endpoint's answer. The CLIPNET API's exact format is its
/// own business, so the common shapes are accepted: a JSON object with `version`, `revision`,
/// `commit`, `sha` or `gitSha` (top level or under `build`), or a bare commit id as text.
enum VersionReport {
    static let keys = ["version", "revision", "commit", "sha", "gitSha", "commitSha"]

    static func revision(in body: [UInt8]) -> String? {
        if let json = JSONValue.parse(body) {
            for container in [json, json["build"]].compactMap({ $0 }) {
                for key in keys {
                    if let value = container[key]?.stringValue, !value.isEmpty { return value.lowercased() }
                }
            }
            return nil
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let isCommit = (7...40).contains(text.count) && text.allSatisfy { $0.isHexDigit }
        return isCommit ? text : nil
    }
}
