/// Upper bounds for stored values. Longer values are cut (at a character boundary) and the
/// event is flagged `truncated`, so one hostile request cannot bloat a segment.
public struct FieldLimits: Sendable {
    public var url = 2048
    public var referrer = 2048
    public var title = 512
    /// A custom event's name.
    public var name = 128
    public var userAgent = 512
    public var id = 128
    public var propKey = 64
    public var propValue = 512
    public var propCount = 32

    public init() {}
}

extension Event {
    /// Applies `limits`, flagging `truncated` when anything was cut.
    public mutating func applyLimits(_ limits: FieldLimits) {
        var cut = false
        func clip(_ value: inout String?, _ max: Int) {
            guard let v = value, v.utf8.count > max else { return }
            value = v.clipped(toUTF8Bytes: max)
            cut = true
        }
        clip(&url, limits.url)
        clip(&referrer, limits.referrer)
        clip(&title, limits.title)
        clip(&name, limits.name)
        clip(&ua, limits.userAgent)
        clip(&campaign, limits.id)
        clip(&lead, limits.id)
        clip(&visitor, limits.id)
        if props.count > limits.propCount || props.contains(where: { $0.key.utf8.count > limits.propKey || $0.value.utf8.count > limits.propValue }) {
            var kept: [String: String] = [:]
            for key in props.keys.sorted().prefix(limits.propCount) {
                kept[key.clipped(toUTF8Bytes: limits.propKey)] = props[key]!.clipped(toUTF8Bytes: limits.propValue)
            }
            props = kept
            cut = true
        }
        if cut { flags.insert(.truncated) }
    }
}

extension String {
    /// The longest prefix of whole characters whose UTF-8 form fits in `max` bytes.
    package func clipped(toUTF8Bytes max: Int) -> String {
        guard utf8.count > max else { return self }
        var used = 0
        var end = startIndex
        while end < endIndex {
            let next = index(after: end)
            let size = utf8.distance(from: end, to: next)
            if used + size > max { break }
            used += size
            end = next
        }
        return String(self[..<end])
    }
}
