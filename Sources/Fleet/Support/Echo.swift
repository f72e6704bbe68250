/// Caller-supplied text quoted back in messages, cut to a readable length: a 1 MiB argument must not come back whole.
public enum Echo {
    /// `text` itself when short, else its start and how much was left out.
    public static func cap(_ text: String, _ limit: Int = 80) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count) characters)"
    }
}

extension String {
    /// Lowercased in ASCII only, so a look-alike (the Kelvin sign, which `lowercased()` turns into "k") never
    /// equals an agent's name.
    var asciiLowercased: String {
        String(decoding: utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
