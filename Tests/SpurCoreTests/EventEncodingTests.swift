import Foundation
import Testing

@testable import SpurCore

@Suite struct EventEncodingTests {
    @Test func writesFixedFieldNamesAndOmitsAbsentOnes() {
        let e = Event(
            id: "n1-1", ts: 42, type: .click, campaign: "c1", lead: "l1", url: "https://x.example/", flags: [.bot, .truncated],
            props: ["b": "2", "a": "1"], node: "n1")
        let line = String(decoding: e.jsonLine, as: UTF8.self)
        #expect(
            line
                == #"{"id":"n1-1","ts":42,"type":"click","campaign":"c1","lead":"l1","url":"https://x.example/","flags":["bot","truncated"],"props":{"a":"1","b":"2"},"node":"n1"}"#
                + "\n")
    }

    @Test func escapesEverythingJSONRequires() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t cr\r nul\u{0} bell\u{7} del\u{7F} sep\u{2028}\u{2029} ümlaut 🎨"
        let e = Event(id: "x", ts: 1, type: .pageview, title: nasty)
        let bytes = e.jsonLine
        #expect(bytes.last == 0x0A)
        #expect(!bytes.dropLast().contains(0x0A))
        #expect(!bytes.contains { $0 < 0x20 && $0 != 0x0A })
        let object = try JSONSerialization.jsonObject(with: Data(bytes.dropLast())) as! [String: Any]
        #expect(object["title"] as? String == nasty)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"\u2028\u2029"#))
    }

    /// Plain runs are copied eight bytes at a time: every character that needs an escape is
    /// found wherever it stands in a long value.
    @Test func escapesAtEveryPositionOfALongValue() throws {
        for special in ["\"", "\\", "\n", "\u{1}", "\u{7F}", "\u{2028}", "\u{2029}", "€", "\t"] {
            for position in 0..<20 {
                let title = String(repeating: "a", count: position) + special + String(repeating: "b", count: 19 - position)
                let e = Event(id: "x", ts: 1, type: .pageview, title: title)
                let object = try JSONSerialization.jsonObject(with: Data(e.jsonLine.dropLast())) as! [String: Any]
                #expect(object["title"] as? String == title, "\(special.debugDescription) at \(position)")
                #expect(!e.jsonLine.dropLast().contains { $0 < 0x20 })
                if special == "\u{2028}" || special == "\u{2029}" {
                    #expect(String(decoding: e.jsonLine, as: UTF8.self).contains(#"\u202"#))
                }
            }
        }
    }

    @Test func roundTripsThroughTheDecoder() {
        let e = Event(
            id: "a", ts: 9, type: .identify, lead: "L", visitor: "V", referrer: "r", ua: "u", ip: "1.2.3.0", flags: [.dnt], props: ["k": "v"],
            node: "n")
        #expect(Event(jsonLine: e.jsonLine.dropLast()) == e)
    }

    @Test func limitsCutLongValuesAtCharacterBoundariesAndFlagThem() {
        var limits = FieldLimits()
        limits.title = 5
        var e = Event(id: "a", ts: 1, type: .pageview, title: "ab😀cd")
        e.applyLimits(limits)
        #expect(e.title == "ab")
        #expect(e.flags.contains(.truncated))
        var short = Event(id: "a", ts: 1, type: .pageview, title: "abc")
        short.applyLimits(limits)
        #expect(short.title == "abc" && !short.flags.contains(.truncated))
        var many = Event(id: "a", ts: 1, type: .custom, props: Dictionary(uniqueKeysWithValues: (0..<100).map { ("k\($0)", "v") }))
        many.applyLimits(FieldLimits())
        #expect(many.props.count == FieldLimits().propCount && many.flags.contains(.truncated))
    }

    @Test func eventIDCountersAreBase36() {
        for n: UInt64 in [0, 1, 35, 36, 1295, 1296, 123_456_789, UInt64.max] {
            #expect(EventIDGenerator.base36(n) == String(n, radix: 36))
        }
    }

    @Test func eventIDsAreUniqueAcrossGenerators() {
        let a = EventIDGenerator(node: "n1")
        let b = EventIDGenerator(node: "n1")
        let ids = (0..<1000).map { _ in a.next() } + (0..<1000).map { _ in b.next() }
        #expect(Set(ids).count == 2000)
        #expect(ids[0].hasPrefix("n1-"))
    }
}

@Suite struct EventDecodingTests {
    @Test func theFastDecoderAgreesWithFoundationOnEncodedEvents() throws {
        let tricky = ["plain", "quote\" back\\slash", "ctl\u{0}\u{1F}\u{7F}", "sep\u{2028}\u{2029}", "ümlaut 🎨 \u{10FFFF}", ""]
        for (i, text) in tricky.enumerated() {
            let e = Event(
                id: "id-\(i)", ts: -5 + Int64(i) * 1_000_000_000_000, type: EventType.allCases[i % 7], campaign: text, lead: "l",
                visitor: text, url: "https://x/?q=\(text)", referrer: text, title: text, ua: text, ip: "1.2.3.0",
                flags: [.bot, .dnt], props: ["k": text, text: "v"], node: "n")
            let line = e.jsonLine.dropLast()
            #expect(EventLineDecoder.decode(line) == e)
            #expect(Event(jsonLine: line) == e)
        }
    }

    @Test func otherShapesFallBackToFoundation() {
        // Numbers as floats, extra whitespace, unknown nested values: not the fast path's format.
        let line = Array(#"{ "id" : "a", "ts" : 5, "type" : "open", "extra" : {"x": [1, 2]} }"#.utf8)
        #expect(EventLineDecoder.decode(line) == nil)
        #expect(Event(jsonLine: line)?.id == "a")
        #expect(Event(jsonLine: Array(#"{"id":"a","ts":1,"type":"nope"}"#.utf8)) == nil)
        #expect(Event(jsonLine: Array("not json".utf8)) == nil)
    }
}
