import HTTPTransport
import Testing

@Suite struct RedactionTests {
    @Test(arguments: [
        ("https://user:pw@api.example.com/v1/x?token=abc#frag", "https://api.example.com/v1/x?…"),
        ("https://api.example.com", "https://api.example.com"),
        ("http://127.0.0.1:8080/path", "http://127.0.0.1:8080/path"),
        ("https://a:b@host?x=1", "https://host?…"),
        ("https://host/p#only-fragment", "https://host/p"),
    ])
    func urlsLoseUserinfoQueryAndFragment(url: String, shown: String) {
        #expect(RedactedURL(url).description == shown)
    }

    @Test func credentialHeadersAreMaskedInDescriptions() {
        let headers: HTTPHeaders = [
            "Authorization": "Bearer canary-1",
            "Cookie": "session=canary-2",
            "X-Api-Key": "canary-3",
            "X-Railway-Token": "canary-4",
            "Content-Type": "application/json",
        ]
        let text = headers.description
        for canary in ["canary-1", "canary-2", "canary-3", "canary-4"] { #expect(!text.contains(canary)) }
        #expect(text.contains("application/json"))
    }

    @Test func headerLookupIgnoresCaseAndKeepsOrder() {
        var headers: HTTPHeaders = ["Accept": "a"]
        headers.add("ACCEPT", "b")
        headers.add("X-One", "1")
        #expect(headers.values(for: "accept") == ["a", "b"])
        #expect(headers["aCcEpT"] == "a")
        headers.set("accept", "c")
        #expect(headers.values(for: "Accept") == ["c"])
        headers.remove("x-one")
        #expect(!headers.contains("X-One"))
        #expect(headers.count == 1)
    }
}
