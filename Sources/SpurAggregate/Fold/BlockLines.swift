import Foundation
import SpurCore

/// The event lines of one segment block, decoded on all cores: after inflating, decoding the
/// JSON is the fold's costliest step per event. Lines keep their order; a line that does not
/// decode is nil. Only lines ending in a newline count (as the scanner frames them).
enum BlockLines {
    static func events(_ payload: [UInt8]) -> [Event?] {
        var lines: [Range<Int>] = []
        payload.withUnsafeBufferPointer { p in
            guard let base = p.baseAddress else { return }
            var start = 0
            while start < p.count, let newline = memchr(base + start, 0x0A, p.count - start) {
                let end = UnsafeRawPointer(newline) - UnsafeRawPointer(base)
                lines.append(start..<end)
                start = end + 1
            }
        }
        let ranges = lines, n = lines.count
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 8)
        if n < 512 || workers < 2 { return lines.map { Event(jsonLine: payload[$0]) } }
        return [Event?](unsafeUninitializedCapacity: n) { buffer, count in
            let out = Slots(buffer.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for j in (n * w / workers)..<(n * (w + 1) / workers) { (out.base + j).initialize(to: Event(jsonLine: payload[ranges[j]])) }
            }
            count = n
        }
    }

    /// Disjoint ranges of one buffer, each written by one thread. The slots start uninitialized;
    /// assigning an `Event?` into them must not release garbage, so they are initialized, not assigned.
    private final class Slots: @unchecked Sendable {
        let base: UnsafeMutablePointer<Event?>
        init(_ base: UnsafeMutablePointer<Event?>) { self.base = base }
    }
}
