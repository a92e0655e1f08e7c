import SpurCore
import Testing

/// What an anonymous page count keeps of a URL (docs/consent.md), including the odd ones.
@Suite struct AnonymousURLTests {
    @Test(
        arguments: [
            (
                "https://shop.example/p/1?mail=a%40b.example&utm_campaign=spring&utm_source=nl#top", "https://shop.example/p/1",
                "https://shop.example/p/1?utm_campaign=spring&utm_source=nl", "spring"
            ),
            ("https://u:p@shop.example:8443/a?q=anna", "https://shop.example:8443/a", "https://shop.example:8443/a", nil),
            ("https://shop.example", "https://shop.example", "https://shop.example", nil),
            ("https://shop.example/#x?utm_campaign=no", "https://shop.example/", "https://shop.example/", nil),
            (
                "https://shop.example/?utm_campaign=Fr%C3%BChling+2026&x=1", "https://shop.example/",
                "https://shop.example/?utm_campaign=Fr%C3%BChling+2026",
                "Frühling 2026"
            ),
            ("https://shop.example/?xutm_campaign=a&utm_campaign=", "https://shop.example/", "https://shop.example/?utm_campaign=", nil),
            ("/relative/päge?utm_campaign=b", "/relative/päge", "/relative/päge?utm_campaign=b", "b"),
            ("mailto:a@b.example", "mailto:a@b.example", "mailto:a@b.example", nil),
            ("https://a@b@shop.example/x@y", "https://shop.example/x@y", "https://shop.example/x@y", nil),
        ] as [(String, String, String, String?)])
    func pathPageAndCampaign(url: String, path: String, page: String, campaign: String?) {
        #expect(AnonymousURL.path(url) == path)
        #expect(AnonymousURL.page(url) == page)
        #expect(AnonymousURL.campaign(url) == campaign)
    }

    @Test func originKeepsSchemeHostAndPortOnly() {
        #expect(AnonymousURL.origin("https://google.example/search?q=anna") == "https://google.example")
        #expect(AnonymousURL.origin("HTTP://u:p@Host.example:81") == "HTTP://Host.example:81")
        #expect(AnonymousURL.origin("android-app://com.example") == nil)
        #expect(AnonymousURL.origin("https://") == nil)
        #expect(AnonymousURL.origin("https://user@/x") == nil)
    }
}
