import ClipnetFormats
import Foundation
import Testing

/// The ICU-free RFC 3339 reader and writer agree with Foundation's ISO 8601 formatter, which they
/// replace in the store's documents and the platform clients.
@Suite struct RFC3339Tests {
    @Test func writesUTCWithRoundedMilliseconds() {
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_795_000_000.1234)) == "2026-11-18T11:06:40.123Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 1_795_000_000.9996)) == "2026-11-18T11:06:41.000Z")
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
    }

    @Test func agreesWithFoundationOnRandomInstants() {
        let foundation = ISO8601DateFormatter()
        foundation.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let date = Date(
                timeIntervalSince1970: Double(Int.random(in: 0...4_102_444_800, using: &generator)) + Double(Int.random(in: 0...999)) / 1000)
            let text = RFC3339.string(from: date)
            #expect(text == foundation.string(from: date))
            let parsed = RFC3339.date(from: text)
            #expect(parsed.map { abs($0.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.0005 } == true, "\(text)")
        }
    }

    @Test func readsOffsetsFractionsAndLowercase() {
        #expect(RFC3339.date(from: "2026-11-25T04:30:00Z")?.timeIntervalSince1970 == 1_795_581_000)
        #expect(RFC3339.date(from: "2026-11-25T05:30:00+01:00")?.timeIntervalSince1970 == 1_795_581_000)
        #expect(RFC3339.date(from: "2026-11-24t23:00:00-05:30")?.timeIntervalSince1970 == 1_795_581_000)
        #expect(RFC3339.date(from: "2026-11-25 04:30:00.5z")?.timeIntervalSince1970 == 1_795_581_000.5)
        #expect(RFC3339.date(from: "2026-11-25T04:30:00.123456789Z").map { abs($0.timeIntervalSince1970 - 1_795_581_000.123456789) < 1e-6 } == true)
    }

    @Test(arguments: [
        "", "2026-11-25", "2026-11-25T04:30:00", "2026-13-01T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T04:30:00.Z",
        "2026-11-25T04:30:00+0100", "2026-11-25T04:30:00Z trailing", "26-11-25T04:30:00Z",
    ])
    func refusesWhatIsNotRFC3339(_ text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }

    @Test func hexIsLowercaseAndPadded() {
        #expect(Hex.lowercase([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.lowercase([UInt8]()) == "")
    }
}
