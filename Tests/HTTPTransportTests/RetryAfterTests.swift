import Foundation
import HTTPTransport
import Testing

@Suite struct RetryAfterTests {
    /// 2026-01-01 00:00:00 UTC
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    private func response(retryAfter: String?) -> HTTPResponse {
        var headers = HTTPHeaders()
        if let retryAfter { headers.add("retry-after", retryAfter) }
        return HTTPResponse(status: 429, headers: headers)
    }

    @Test func integerSeconds() {
        #expect(response(retryAfter: "120").retryAfter(now: now) == .seconds(120))
        #expect(response(retryAfter: " 0 ").retryAfter(now: now) == .zero)
    }

    @Test func httpDateInTheFuture() {
        #expect(response(retryAfter: "Thu, 01 Jan 2026 00:01:30 GMT").retryAfter(now: now) == .seconds(90))
    }

    @Test func obsoleteDateFormats() {
        #expect(response(retryAfter: "Thursday, 01-Jan-26 00:00:10 GMT").retryAfter(now: now) == .seconds(10))
        #expect(response(retryAfter: "Thu Jan  1 00:00:05 2026").retryAfter(now: now) == .seconds(5))
    }

    @Test func httpDateInThePastMeansNow() {
        #expect(response(retryAfter: "Wed, 31 Dec 2025 23:59:00 GMT").retryAfter(now: now) == .zero)
    }

    @Test(arguments: ["soon", "-5", "1.5", "12abc", "", "Thu, 32 Jan 2026 00:00:00 GMT", "99999999999999999999999"])
    func garbageIsNil(_ value: String) {
        #expect(response(retryAfter: value).retryAfter(now: now) == nil)
    }

    @Test func missingHeaderIsNil() {
        #expect(response(retryAfter: nil).retryAfter(now: now) == nil)
    }
}
