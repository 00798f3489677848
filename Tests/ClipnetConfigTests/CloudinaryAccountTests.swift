import ClipnetConfig
import Testing

/// The one parser of the Cloudinary account variables, shared by the worker and the reconciler's
/// folder check.
@Suite struct CloudinaryAccountTests {
    @Test func theURLFormGivesCloudKeyAndSecretDecoded() throws {
        let account = try #require(try CloudinaryAccount.fromEnvironment(["CLOUDINARY_URL": "cloudinary://1234:s%2Fcr%40t@clipnet"]))
        #expect(account.cloudName == "clipnet")
        #expect(account.apiKey == "1234")
        #expect(account.apiSecret.reveal() == "s/cr@t")
        #expect(account.apiBaseURL == nil)
    }

    @Test func theSeparateVariablesWorkAndTheURLWinsOverThem() throws {
        let separate = ["CLOUDINARY_CLOUD_NAME": "c1", "CLOUDINARY_API_KEY": "k1", "CLOUDINARY_API_SECRET": "s1"]
        let account = try #require(try CloudinaryAccount.fromEnvironment(separate))
        #expect([account.cloudName, account.apiKey, account.apiSecret.reveal()] == ["c1", "k1", "s1"])
        var both = separate
        both["CLOUDINARY_URL"] = "cloudinary://k2:s2@c2"
        let fromURL = try #require(try CloudinaryAccount.fromEnvironment(both))
        #expect([fromURL.cloudName, fromURL.apiKey, fromURL.apiSecret.reveal()] == ["c2", "k2", "s2"])
    }

    @Test func noAccountVariablesIsNoAccountAndEmptyValuesCountAsUnset() throws {
        #expect(try CloudinaryAccount.fromEnvironment([:]) == nil)
        #expect(try CloudinaryAccount.fromEnvironment(["CLOUDINARY_URL": "", "CLOUDINARY_FOLDER": "staging_clips/"]) == nil)
    }

    @Test func theAPIBaseOverrideLosesItsTrailingSlash() throws {
        let account = try #require(
            try CloudinaryAccount.fromEnvironment([
                "CLOUDINARY_URL": "cloudinary://k:s@c", "CLOUDINARY_API_BASE_URL": "http://127.0.0.1:9000/",
            ]))
        #expect(account.apiBaseURL == "http://127.0.0.1:9000")
    }

    @Test func aMalformedOrPartialAccountIsRefusedNamingTheVariableNeverItsValue() {
        let malformed = #expect(throws: CloudinaryAccount.Malformed.self) {
            try CloudinaryAccount.fromEnvironment(["CLOUDINARY_URL": "https://k:topsecret-value@c"])
        }
        #expect(malformed?.message == "CLOUDINARY_URL is not cloudinary://<api key>:<api secret>@<cloud name>")
        let partial = #expect(throws: CloudinaryAccount.Malformed.self) {
            try CloudinaryAccount.fromEnvironment(["CLOUDINARY_API_SECRET": "topsecret-value"])
        }
        #expect(partial?.message.hasPrefix("Cloudinary is partly configured") == true)
        #expect(partial?.message.contains("topsecret-value") == false)
    }

    @Test func printingAnAccountNeverShowsTheSecret() throws {
        let account = try #require(try CloudinaryAccount.fromEnvironment(["CLOUDINARY_URL": "cloudinary://1234:topsecret-value@clipnet"]))
        for text in [account.description, "\(account)", String(reflecting: account), "\(account.apiSecret)"] {
            #expect(!text.contains("topsecret-value"), "\(text)")
        }
    }
}
