import Foundation
import Logging
import Synchronization

/// What the collector stores, bounded (docs/http.md, "Limits under attack"): per-network token
/// buckets for the site endpoints (`POST /e`, `/p.gif`), a per-node cap on events per hour, and
/// a free-disk watermark below which site hits are no longer stored. Opens and clicks are only
/// subject to the hourly cap; whatever is refused, pixels are still pixels and redirects still
/// redirect.
final class Admission: Sendable {
    struct Limits: Sendable {
        /// Site events per second one network (IPv4 /24, IPv6 /48) may store; 0: unlimited.
        var siteEventsPerSecond: Double = 20
        /// How many may come at once (the bucket's size).
        var siteBurst: Double = 200
        /// Events this node stores per hour at most; 0: unlimited.
        var eventsPerHour = 2_000_000
        /// Below this much free space in the data directory, site hits are not stored; 0: off.
        var minFreeBytes: Int64 = 1 << 30
        /// The directory whose file system is watched.
        var directory = "."
    }

    enum Verdict: Equatable {
        case admit
        case rateLimited(retryAfter: Int)
        case hourlyCap
        case diskLow

        var reason: String {
            switch self {
            case .admit: "admit"
            case .rateLimited: "rate_limited"
            case .hourlyCap: "hourly_cap"
            case .diskLow: "disk_low"
            }
        }
    }

    private struct State {
        var buckets: [String: (tokens: Double, at: Int64)] = [:]
        var hour: Int64 = 0
        var storedThisHour = 0
        var diskCheckedAt: Int64?
        var diskLow = false
        var loggedAt: [String: Int64] = [:]
    }

    let limits: Limits
    private let state = Mutex(State())
    private let logger = Logger(label: "spur.admission")
    static let maxNetworks = 100_000

    init(limits: Limits) { self.limits = limits }

    /// Whether `events` site events from `network` may be stored now.
    func admitSite(network: String?, events: Int, now: Int64) -> Verdict {
        let verdict: Verdict = state.withLock { s in
            if isDiskLow(&s, now) { return .diskLow }
            if limits.siteEventsPerSecond > 0, let network {
                if s.buckets.count >= Self.maxNetworks && s.buckets[network] == nil { s.buckets.removeAll(keepingCapacity: true) }
                var b = s.buckets[network] ?? (limits.siteBurst, now)
                b.tokens = min(limits.siteBurst, b.tokens + Double(max(0, now - b.at)) / 1000 * limits.siteEventsPerSecond)
                b.at = now
                guard b.tokens >= Double(events) else {
                    s.buckets[network] = b
                    let wait = (Double(events) - b.tokens) / limits.siteEventsPerSecond
                    return .rateLimited(retryAfter: max(1, Int(wait.rounded(.up))))
                }
                b.tokens -= Double(events)
                s.buckets[network] = b
            }
            return countHour(&s, events, now) ? .admit : .hourlyCap
        }
        if verdict != .admit { warn(verdict, network: network, now: now) }
        return verdict
    }

    /// Whether an open or click may be stored now (only the hourly cap applies).
    func admitMail(now: Int64) -> Bool {
        let ok = state.withLock { countHour(&$0, 1, now) }
        if !ok { warn(.hourlyCap, network: nil, now: now) }
        return ok
    }

    private func countHour(_ s: inout State, _ events: Int, _ now: Int64) -> Bool {
        guard limits.eventsPerHour > 0 else { return true }
        let hour = now / 3_600_000
        if hour != s.hour { (s.hour, s.storedThisHour) = (hour, 0) }
        guard s.storedThisHour + events <= limits.eventsPerHour else { return false }
        s.storedThisHour += events
        return true
    }

    /// Free space, looked at once a second at most.
    private func isDiskLow(_ s: inout State, _ now: Int64) -> Bool {
        guard limits.minFreeBytes > 0 else { return false }
        if s.diskCheckedAt.map({ now - $0 >= 1000 }) ?? true {
            s.diskCheckedAt = now
            var st = statvfs()
            if statvfs(limits.directory, &st) == 0 {
                s.diskLow = Int64(st.f_bavail) * Int64(st.f_frsize) < limits.minFreeBytes
            }
        }
        return s.diskLow
    }

    /// One warning per kind a minute: an attack must not flood the log either.
    private func warn(_ verdict: Verdict, network: String?, now: Int64) {
        let due = state.withLock { s -> Bool in
            if let last = s.loggedAt[verdict.reason], now - last < 60_000 { return false }
            s.loggedAt[verdict.reason] = now
            return true
        }
        guard due else { return }
        switch verdict {
        case .rateLimited:
            logger.warning("Site hits over the per-network rate are refused", metadata: ["network": "\(network ?? "-")"])
        case .hourlyCap:
            logger.warning(
                "This node stored its cap of events for the hour; further hits are answered but not stored",
                metadata: ["cap": "\(limits.eventsPerHour)"])
        case .diskLow:
            logger.warning(
                "Free disk space is below the watermark; site hits are not stored",
                metadata: ["directory": "\(limits.directory)", "min_free_bytes": "\(limits.minFreeBytes)"])
        case .admit: break
        }
    }
}
