import Foundation

/// A progress line on stderr for long runs (`aggregate`, `forget`, `segments prune`): redrawn at
/// most twice a second, only on a terminal, ended with a newline by `finish()`.
final class ProgressLine {
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var drawn = false
    let started = Date()

    init(quiet: Bool = false) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    var seconds: Double { max(0.001, Date().timeIntervalSince(started)) }

    /// Draws `text()` when due (and always for the last step, `done == total`).
    func update(done: Int, total: Int, _ text: () -> String) {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.5 || done == total else { return }
        lastDraw = Date()
        drawn = true
        FileHandle.standardError.write(Data(("\r" + text() + "  ").utf8))
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
