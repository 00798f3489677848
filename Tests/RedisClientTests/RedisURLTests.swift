import RedisClient
import Testing

@Suite struct RedisURLTests {
    @Test func parsesHostPortDatabaseAndCredentials() throws {
        let url = try RedisURL(parsing: "redis://alice:p%40ss@cache.internal:6380/3")
        #expect(url.host == "cache.internal")
        #expect(url.port == 6380)
        #expect(url.database == 3)
        #expect(url.username == "alice")
    }

    @Test func defaultsToPort6379AndDatabaseZero() throws {
        let url = try RedisURL(parsing: "redis://localhost")
        #expect(url.port == 6379)
        #expect(url.database == 0)
        #expect(url.username == nil)
    }

    @Test func acceptsPasswordWithoutUserAndBracketedIPv6() throws {
        let url = try RedisURL(parsing: "redis://:secret@[::1]:7000")
        #expect(url.host == "::1")
        #expect(url.port == 7000)
        #expect(url.username == nil)
        #expect(url.description == "redis://:***@[::1]:7000/0")
    }

    @Test func descriptionNeverShowsThePassword() throws {
        let url = try RedisURL(parsing: "redis://default:hunter2-canary@redis.railway.internal:6379/0")
        #expect(!url.description.contains("hunter2-canary"))
        #expect(!String(reflecting: url).contains("hunter2-canary"))
        #expect(url.description == "redis://default:***@redis.railway.internal:6379/0")
    }

    @Test func refusesTLSWithAClearError() {
        #expect {
            try RedisURL(parsing: "rediss://:pw@host:6380")
        } throws: { error in
            let error = error as? RedisError
            return error?.code == .unsupported && error?.message.contains("TLS") == true
        }
    }

    @Test(arguments: ["http://host", "redis://", "redis://host:notaport", "redis://host:70000", "redis://host/x", "redis://host/1?ssl=true"])
    func rejectsMalformedURLs(_ text: String) {
        #expect {
            try RedisURL(parsing: text)
        } throws: { error in
            (error as? RedisError)?.code == .invalidURL
        }
    }
}
