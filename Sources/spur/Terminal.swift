/// Text for a terminal. Interest categories, attributes and URLs can come from visitors (URL
/// paths, identify calls): control characters in them could move the cursor or rewrite what a
/// person sees, so they are shown escaped (`\u{1B}` becomes `\x1b`).
enum Terminal {
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += scalar.value <= 0xFF ? "\\x" + hex(scalar.value, 2) : "\\u{" + hex(scalar.value, 4) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0, DEL, C1, and the bidirectional overrides that reorder what follows them.
    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value) || (0x2066...0x2069).contains(s.value)
    }

    private static func hex(_ v: UInt32, _ width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
