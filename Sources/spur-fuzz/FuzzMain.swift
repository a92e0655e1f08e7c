import Foundation

#if SPUR_LIBFUZZER
/// libFuzzer's entry point (built with `-sanitize=fuzzer -DSPUR_LIBFUZZER`, scripts/fuzz-build.sh);
/// the target comes from `SPUR_FUZZ_TARGET`.
private let libFuzzerTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["SPUR_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set SPUR_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    libFuzzerTarget.run(start.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runLibFuzzer(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<module>_main`; this one hands over to libFuzzer.
@_cdecl("spur_fuzz_main")
public func spurFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runLibFuzzer(&count, &arguments) { start, size in fuzzOneInput(start, size) }
}
#else
/// Without libFuzzer: replays the corpus and the kept crashers, then mutates corpus inputs at
/// random for a while (no coverage guidance). Used by `scripts/reliability.sh --quick` and CI.
///   spur-fuzz TARGET [--seconds S] [--crashers DIR] CORPUS_DIR...
@main
struct FuzzMain {
    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            print("usage: spur-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) [--seconds S] [--crashers DIR] CORPUS_DIR...")
            exit(2)
        }
        args.removeFirst()
        var seconds = 5.0
        var crashers: String?
        var corpusDirs: [String] = []
        while !args.isEmpty {
            let a = args.removeFirst()
            switch a {
            case "--seconds": seconds = Double(args.removeFirst()) ?? seconds
            case "--crashers": crashers = args.removeFirst()
            default: corpusDirs.append(a)
            }
        }
        var corpus: [[UInt8]] = []
        for dir in corpusDirs + [crashers].compactMap({ $0 }) {
            for file in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() where !file.hasPrefix(".") {
                if let data = FileManager.default.contents(atPath: dir + "/" + file) { corpus.append(Array(data)) }
            }
        }
        let replayed = corpus.count
        for input in corpus { target.run(input) }
        if corpus.isEmpty { corpus = [[]] }
        var rng = SystemRandomNumberGenerator()
        let pending = crashers.map { $0 + "/.pending" }
        let deadline = Date().addingTimeInterval(seconds)
        var executions = 0
        let watchdog = Watchdog()
        while Date() < deadline {
            for _ in 0..<200 {
                let input = Mutator.mutate(corpus.randomElement(using: &rng)!, corpus: corpus, using: &rng)
                if let pending { FileManager.default.createFile(atPath: pending, contents: Data(input)) }
                watchdog.arm()
                target.run(input)
                watchdog.disarm()
                executions += 1
            }
        }
        if let pending { try? FileManager.default.removeItem(atPath: pending) }
        print("\(executions) executions, \(replayed) corpus and crasher inputs replayed, no crash, no hang")
    }
}

/// Aborts when one input runs longer than two seconds (a hang) — the input stays in `.pending`.
final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var started: Date?

    init() {
        Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                let since = self.lock.withLock { self.started }
                if let since, Date().timeIntervalSince(since) > 2 {
                    FileHandle.standardError.write(Data("hang: one input ran longer than 2 s\n".utf8))
                    abort()
                }
            }
        }.start()
    }

    func arm() { lock.withLock { started = Date() } }
    func disarm() { lock.withLock { started = nil } }
}

/// Byte-level mutations in the style of libFuzzer's, plus tokens that matter to these parsers.
enum Mutator {
    static let tokens: [[UInt8]] = [
        "\"", "{", "}", "[", "]", ":", ",", "\\u0000", "\\ud800", "%", "%00", "%zz", "+", "&", "=", "<a href=\"", "\">", "<!--",
        "-->", "<![CDATA[", "&amp;", "&#x", "http://", "https://", "javascript:", "\u{0}", "\n", "\r\n", "\u{1F600}",
        "\u{1f}\u{8b}\u{8}", ".", "url", "props", "type",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], corpus: [[UInt8]], using rng: inout SystemRandomNumberGenerator) -> [UInt8] {
        var out = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0 where !out.isEmpty: out[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !out.isEmpty: out[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: out.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 3 where !out.isEmpty: out.removeSubrange(at..<min(out.count, at + Int.random(in: 1...16, using: &rng)))
            case 4: out.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 5 where !out.isEmpty:
                let end = min(out.count, at + Int.random(in: 1...32, using: &rng))
                out.insert(contentsOf: out[at..<end], at: Int.random(in: 0...out.count, using: &rng))
            case 6:
                let other = corpus.randomElement(using: &rng)!
                if !other.isEmpty {
                    let from = Int.random(in: 0..<other.count, using: &rng)
                    out.insert(contentsOf: other[from..<min(other.count, from + 64)], at: at)
                }
            default: if out.count > 1 { out.removeLast(Int.random(in: 1...out.count / 2 + 1, using: &rng) - 1) }
            }
        }
        return Array(out.prefix(16384))
    }
}
#endif
