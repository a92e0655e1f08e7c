/// Spur's own additions to isbot's list (`BotPatternList`): user-agent substrings (lowercase) of
/// crawlers, link-preview bots, monitoring, headless browsers, HTTP libraries and scanners. Hits
/// from them are flagged `bot` (kept, weighted 0 by default). None may match a browser, an in-app
/// browser or a mail client: `BotDetectionTests` measures that on public lists. Add your own with
/// `spur serve --bot-patterns-file FILE` (one substring per line).
public enum BotUserAgents {
    public static let version = "2026-11-2"

    public static let patterns: [String] = [
        // search and AI crawlers
        "googlebot", "bingbot", "yandex", "baiduspider", "duckduckbot", "slurp", "applebot", "petalbot", "bytespider",
        "gptbot", "chatgpt-user", "claudebot", "anthropic-ai", "ccbot", "perplexitybot", "amazonbot", "semrush", "ahrefs",
        "mj12bot", "dotbot", "seznambot", "sogou", "exabot", "facebot",
        // link previews
        "facebookexternalhit", "twitterbot", "slackbot", "slack-imgproxy", "discordbot", "whatsapp", "linkedinbot",
        "telegrambot", "skypeuripreview", "redditbot", "embedly", "iframely", "vkshare",
        // monitoring and tools
        "pingdom", "uptimerobot", "statuscake", "site24x7", "lighthouse", "pagespeed", "gtmetrix", "headlesschrome",
        "phantomjs", "puppeteer", "playwright", "selenium",
        // HTTP libraries
        "python-requests", "python-urllib", "aiohttp", "go-http-client", "okhttp", "java/", "apache-httpclient",
        "libwww-perl", "wget", "curl/", "httpie", "axios/", "node-fetch", "scrapy", "guzzlehttp",
        // vulnerability scanners and injection probes (not in isbot's list)
        "nikto", "sqlmap", "nmap scripting engine", "masscan", "zgrab", "nuclei", "wpscan", "${",
        // generic words last
        "bot/", "crawler", "spider",
    ]
}
