import Foundation

/// Requests per key: a token bucket per key name that holds a minute's allowance and refills
/// continuously, so a client may burst but not sustain more than `perMinute`.
final class APIRateLimiter: @unchecked Sendable {
    let perMinute: Int
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: ContinuousClock.Instant)] = [:]
    private let clock = ContinuousClock()

    init(perMinute: Int) { self.perMinute = perMinute }

    /// nil when the request may go ahead, else the whole seconds until it may.
    func take(_ key: String) -> Int? {
        let now = clock.now
        let rate = Double(perMinute) / 60
        return lock.withLock {
            var bucket = buckets[key] ?? (Double(perMinute), now)
            let elapsed = bucket.at.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(Double(perMinute), bucket.tokens + seconds * rate)
            bucket.at = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }
}
