import SpurCore

/// Whether an event came from a person, an image proxy (Apple MPP, Gmail) or a bot, scanner or
/// honeypot, by its flags. Reports and the console's charts split counts this way.
public enum TrafficKind: String, Codable, Sendable, CaseIterable {
    case human, proxy, bot

    public init(flags: EventFlags) {
        if !flags.intersection([.bot, .scannerSuspect, .honeypot]).isEmpty {
            self = .bot
        } else if flags.contains(.proxyOpen) {
            self = .proxy
        } else {
            self = .human
        }
    }
}
