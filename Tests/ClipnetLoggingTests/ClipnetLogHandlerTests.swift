import ClipnetLogging
import Foundation
import Logging
import Testing

@Suite struct ClipnetLogHandlerTests {
    func logger(_ format: ClipnetLogHandler.Format, level: Logger.Level = .info) -> (Logger, LogCapture) {
        let capture = LogCapture()
        let logger = Logger(label: "clipnet.reconciler") { label in
            ClipnetLogHandler(label: label, format: format, level: level, sink: capture.sink)
        }
        return (logger, capture)
    }

    /// The first line written; the test fails (instead of crashing) when there is none.
    func firstLine(_ capture: LogCapture) throws -> String {
        try #require(capture.lines.first, "nothing was logged")
    }

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func eachRecordIsOneJSONObjectWithLevelTimeLabelAndMessage() throws {
        let (logger, capture) = logger(.json)
        logger.notice("Rolled out", metadata: ["revision": "77de68daecd823babbb58edb1c8e14d7106e83bb", "service": "api"])
        #expect(capture.lines.count == 1)
        let json = try object(try firstLine(capture))
        #expect(json["level"] as? String == "notice")
        #expect(json["label"] as? String == "clipnet.reconciler")
        #expect(json["message"] as? String == "Rolled out")
        #expect(json["revision"] as? String == "77de68daecd823babbb58edb1c8e14d7106e83bb")
        #expect(json["service"] as? String == "api")
        let time = try #require(json["time"] as? String)
        #expect(time.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil)
        let line = try firstLine(capture)
        #expect(line.hasPrefix(#"{"time":"#))
    }

    @Test func theTimeIsRFC3339UTCOfNow() throws {
        let (logger, capture) = logger(.json)
        let before = Date().addingTimeInterval(-1)
        logger.info("tick")
        let after = Date().addingTimeInterval(1)
        let text = try #require(try object(try firstLine(capture))["time"] as? String)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = try #require(formatter.date(from: text))
        #expect(time >= before && time <= after)
    }

    @Test func nestedMetadataIsFlattenedIntoDottedKeys() throws {
        var (logger, capture) = logger(.json)
        logger[metadataKey: "environment"] = "staging"
        logger.info("Rollout phase", metadata: ["rollout": ["id": "ro-7", "phase": "deployBackend"], "attempts": ["1", "2"]])
        let json = try object(try firstLine(capture))
        #expect(json["rollout.id"] as? String == "ro-7")
        #expect(json["rollout.phase"] as? String == "deployBackend")
        #expect(json["environment"] as? String == "staging")
        #expect(json["attempts"] as? [String] == ["1", "2"])
        #expect(json["rollout"] == nil)
    }

    @Test func recordsBelowTheLevelAreDropped() {
        let (logger, capture) = logger(.json, level: .notice)
        logger.info("quiet")
        logger.debug("quieter")
        logger.error("loud")
        #expect(capture.lines.count == 1)
    }

    @Test func credentialLookingKeysAreMaskedWhateverTheNesting() throws {
        let (logger, capture) = logger(.json)
        logger.info(
            "Configured",
            metadata: [
                "token": "canary-1", "railway": ["apiToken": "canary-2"], "db.password": "canary-3", "webhookSecret": "canary-4", "service": "api",
            ])
        let line = try firstLine(capture)
        for canary in ["canary-1", "canary-2", "canary-3", "canary-4"] { #expect(!line.contains(canary)) }
        let json = try object(line)
        #expect(json["railway.apiToken"] as? String == "<redacted>")
        #expect(json["service"] as? String == "api")
    }

    @Test func metadataCannotOverwriteTheRecordsOwnFields() throws {
        let (logger, capture) = logger(.json)
        logger.info("real message", metadata: ["message": "forged", "level": "critical"])
        let json = try object(try firstLine(capture))
        #expect(json["message"] as? String == "real message")
        #expect(json["level"] as? String == "info")
        #expect(json["metadata.message"] as? String == "forged")
    }

    @Test func controlCharactersAreEscapedSoARecordStaysOneLine() throws {
        let (logger, capture) = logger(.json)
        logger.warning("line one\nline two \"quoted\" \u{1B}[31m", metadata: ["detail": "a\tb\r\nc"])
        #expect(capture.lines.count == 1)
        let line = try firstLine(capture)
        #expect(!line.contains("\n"))
        let json = try object(line)
        #expect(json["message"] as? String == "line one\nline two \"quoted\" \u{1B}[31m")
        #expect(json["detail"] as? String == "a\tb\r\nc")
    }

    @Test func anErrorGoesInItsOwnField() throws {
        struct FetchFailed: Error, CustomStringConvertible { var description: String { "remote hung up" } }
        let capture = LogCapture()
        let handler = ClipnetLogHandler(label: "x", format: .json, sink: capture.sink)
        handler.log(
            event: LogEvent(
                level: .error, message: "Fetch failed", error: FetchFailed(), metadata: nil, source: "GitWatch", file: #fileID, function: #function,
                line: #line))
        let json = try object(try firstLine(capture))
        #expect(json["error"] as? String == "remote hung up")
    }

    @Test func textIsOneReadableLinePerRecord() throws {
        let (logger, capture) = logger(.text)
        logger.info("Rolled out\nto staging", metadata: ["revision": "77de68daecd8", "reason": "merge to develop", "rollout": ["id": "ro-7"]])
        #expect(capture.lines.count == 1)
        let line = try firstLine(capture)
        #expect(
            line.wholeMatch(
                of:
                    #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z     info clipnet\.reconciler: Rolled out\\nto staging reason="merge to develop" revision=77de68daecd8 rollout\.id=ro-7/#
            ) != nil, "\(line)")
    }

    @Test func automaticMeansTextOnATerminalAndJSONOtherwise() {
        #expect(ClipnetLogging.resolve(.automatic, standardErrorIsTerminal: true) == .text)
        #expect(ClipnetLogging.resolve(.automatic, standardErrorIsTerminal: false) == .json)
        #expect(ClipnetLogging.resolve(.json, standardErrorIsTerminal: true) == .json)
        #expect(ClipnetLogging.resolve(.text, standardErrorIsTerminal: false) == .text)
    }

    @Test func levelAndFormatComeFromTheEnvironment() {
        let chosen = ClipnetLogging.settings(from: ["LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"])
        #expect(chosen.level == .debug)
        #expect(chosen.format == .json)
        let defaults = ClipnetLogging.settings(from: ["LOG_LEVEL": "loud"])
        #expect(defaults.level == .info)
        #expect(defaults.format == .automatic)
    }

    @Test func concurrentRecordsComeOutWhole() async throws {
        let (logger, capture) = logger(.json)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 { logger.info("record", metadata: ["task": "\(task)", "index": "\(index)"]) }
                }
            }
        }
        #expect(capture.lines.count == 1600)
        for line in capture.lines { _ = try object(line) }
    }
}
