import Foundation

extension Event {
    /// Decodes one segment line. Returns nil for anything that is not a valid event record.
    public init?(jsonLine: some Collection<UInt8>) {
        if let fast = EventLineDecoder.decode(jsonLine) {
            self = fast
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(jsonLine)) as? [String: Any],
            let id = object["id"] as? String, let ts = (object["ts"] as? NSNumber)?.int64Value,
            let typeName = object["type"] as? String, let type = EventType(rawValue: typeName)
        else { return nil }
        self.init(id: id, ts: ts, type: type)
        campaign = object["campaign"] as? String
        lead = object["lead"] as? String
        visitor = object["visitor"] as? String
        url = object["url"] as? String
        referrer = object["referrer"] as? String
        title = object["title"] as? String
        name = object["name"] as? String
        ua = object["ua"] as? String
        ip = object["ip"] as? String
        node = object["node"] as? String
        flags = EventFlags(names: object["flags"] as? [String] ?? [])
        props = object["props"] as? [String: String] ?? [:]
    }

    /// The event as one JSON line, newline included.
    public var jsonLine: [UInt8] {
        var out: [UInt8] = []
        EventLineEncoder.encode(self, into: &out)
        return out
    }
}
