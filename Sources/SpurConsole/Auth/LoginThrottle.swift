import Foundation

/// Failed sign-ins per user name and per client address within a window. Past the limit the
/// console refuses to check passwords at all until the window has passed, so guessing is slow
/// whichever of the two an attacker varies.
actor LoginThrottle {
    struct Limits: Sendable {
        var perUser = 5
        var perAddress = 20
        var window: Duration = .seconds(15 * 60)
    }

    private let limits: Limits
    private var failures: [String: [ContinuousClock.Instant]] = [:]
    private let clock = ContinuousClock()

    init(limits: Limits) { self.limits = limits }

    func isBlocked(user: String, address: String) -> Bool {
        prune()
        return (failures["u:" + user]?.count ?? 0) >= limits.perUser || (failures["a:" + address]?.count ?? 0) >= limits.perAddress
    }

    func recordFailure(user: String, address: String) {
        let now = clock.now
        failures["u:" + user, default: []].append(now)
        failures["a:" + address, default: []].append(now)
    }

    func recordSuccess(user: String) { failures["u:" + user] = nil }

    private func prune() {
        let cutoff = clock.now - limits.window
        for (key, times) in failures {
            let kept = times.filter { $0 > cutoff }
            failures[key] = kept.isEmpty ? nil : kept
        }
    }
}
