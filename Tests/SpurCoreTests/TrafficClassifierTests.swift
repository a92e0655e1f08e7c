import Testing

@testable import SpurCore

@Suite struct TrafficClassifierTests {
    let browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

    @Test func botsAndProxiesAreRecognisedByUserAgent() {
        let c = TrafficClassifier()
        #expect(c.isBot(userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"))
        #expect(c.isBot(userAgent: "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"))
        #expect(c.isBot(userAgent: "python-requests/2.31"))
        #expect(c.isBot(userAgent: nil) && c.isBot(userAgent: ""))
        #expect(!c.isBot(userAgent: browser))
        #expect(
            TrafficClassifier(
                configuration: {
                    var x = TrafficClassifier.Configuration(); x.extraBotPatterns = ["MyScanner"]; return x
                }()
            )
            .isBot(userAgent: "Corp MyScanner 3"))
        #expect(
            TrafficClassifier.isImageProxy(userAgent: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"))
        #expect(TrafficClassifier.isImageProxy(userAgent: "Mozilla/5.0"))
        #expect(!TrafficClassifier.isImageProxy(userAgent: browser))
        #expect(c.classifyOpen(campaign: "c", lead: "l", userAgent: "Mozilla/5.0", atMillis: 0) == [.proxyOpen])
        #expect(c.classifyOpen(campaign: "c", lead: "m", userAgent: browser, atMillis: 0) == [])
    }

    @Test func clickBurstsOverSeveralLinksAreScanners() {
        let c = TrafficClassifier()
        #expect(c.classifyClick(campaign: "c", lead: "l", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 1000) == [])
        #expect(c.classifyClick(campaign: "c", lead: "l", url: "https://x/2", ip: nil, userAgent: browser, atMillis: 2000) == [])
        #expect(c.classifyClick(campaign: "c", lead: "l", url: "https://x/3", ip: nil, userAgent: browser, atMillis: 3000) == [.scannerSuspect])
        // A human clicking one link again, or links minutes apart, is fine.
        #expect(c.classifyClick(campaign: "c", lead: "h", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 0) == [])
        #expect(c.classifyClick(campaign: "c", lead: "h", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 1000) == [])
        #expect(c.classifyClick(campaign: "c", lead: "h", url: "https://x/2", ip: nil, userAgent: browser, atMillis: 60_000) == [])
        #expect(c.classifyClick(campaign: "c", lead: "h", url: "https://x/3", ip: nil, userAgent: browser, atMillis: 120_000) == [])
    }

    @Test func clicksRightAfterAProxyOpenOrAfterAHeadAreScanners() {
        let c = TrafficClassifier()
        _ = c.classifyOpen(campaign: "c", lead: "l", userAgent: "Mozilla/5.0", atMillis: 0)
        #expect(c.classifyClick(campaign: "c", lead: "l", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 3000) == [.scannerSuspect])
        _ = c.classifyOpen(campaign: "c", lead: "m", userAgent: browser, atMillis: 0)
        #expect(c.classifyClick(campaign: "c", lead: "m", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 3000) == [])
        c.noteHead(campaign: "c", lead: "n", url: "https://x/1", ip: "10.0.0.0", atMillis: 0)
        #expect(c.classifyClick(campaign: "c", lead: "n", url: "https://x/1", ip: "10.0.0.0", userAgent: browser, atMillis: 500) == [.scannerSuspect])
        #expect(c.classifyClick(campaign: "c", lead: "n", url: "https://x/1", ip: "10.0.0.0", userAgent: browser, atMillis: 60_000) == [])
    }

    @Test func theWindowStaysBounded() {
        var config = TrafficClassifier.Configuration()
        config.maxEntries = 100
        let c = TrafficClassifier(configuration: config)
        for i in 0..<10_000 {
            _ = c.classifyClick(campaign: "c", lead: "l\(i)", url: "https://x/1", ip: nil, userAgent: browser, atMillis: Int64(i))
        }
        // Still classifies correctly after evictions.
        _ = c.classifyClick(campaign: "c", lead: "z", url: "https://x/1", ip: nil, userAgent: browser, atMillis: 20_000)
        _ = c.classifyClick(campaign: "c", lead: "z", url: "https://x/2", ip: nil, userAgent: browser, atMillis: 20_001)
        #expect(c.classifyClick(campaign: "c", lead: "z", url: "https://x/3", ip: nil, userAgent: browser, atMillis: 20_002) == [.scannerSuspect])
    }

    /// Issue 17, attack 6: random `?l=` values with 4 KB targets must not grow the window.
    @Test func theWindowIsBoundedInBytesAndKeepsNoURLs() {
        var config = TrafficClassifier.Configuration()
        config.maxBytes = 1 << 20
        let c = TrafficClassifier(configuration: config)
        let target = "https://shop.example/" + String(repeating: "x", count: 4096)
        for i in 0..<20_000 {
            _ = c.classifyClick(
                campaign: "c", lead: "fake-\(i)-" + String(repeating: "l", count: 200), url: target, ip: "203.0.113.0", userAgent: browser,
                atMillis: Int64(i))
            #expect(c.windowBytes <= config.maxBytes, "after \(i)")
        }
        // An entry costs its key and a few words, not the 4 KB URL.
        let one = TrafficClassifier()
        _ = one.classifyClick(campaign: "c", lead: "l", url: target, ip: nil, userAgent: browser, atMillis: 0)
        #expect(one.windowBytes < 200)
    }

    @Test func unsignedLeadsAreCappedPerCampaignAndNetwork() {
        var config = TrafficClassifier.Configuration()
        config.unsignedLeadsPerNetwork = 3
        let c = TrafficClassifier(configuration: config)
        let admitted = (0..<5).map { c.admitsUnsignedLead(campaign: "nl", lead: "l\($0)", network: "203.0.113.0", atMillis: 1000) }
        #expect(admitted == [true, true, true, false, false])
        // A lead already seen still counts; another network and another campaign have their own allowance.
        #expect(c.admitsUnsignedLead(campaign: "nl", lead: "l1", network: "203.0.113.0", atMillis: 2000))
        #expect(c.admitsUnsignedLead(campaign: "nl", lead: "l9", network: "198.51.100.0", atMillis: 2000))
        #expect(c.admitsUnsignedLead(campaign: "nl-2", lead: "l9", network: "203.0.113.0", atMillis: 2000))
        // The next hour starts over.
        #expect(c.admitsUnsignedLead(campaign: "nl", lead: "l8", network: "203.0.113.0", atMillis: 3_600_000 + 1000))
    }
}
