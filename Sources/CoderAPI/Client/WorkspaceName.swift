/// Coder's rule for workspace names (`codersdk/name.go` `NameValid`): 1–32 characters of ASCII letters, digits and
/// single hyphens (`^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$`), and not `new` or `create`.
public enum WorkspaceName {
    public static let maxLength = 32

    public static func isValid(_ name: String) -> Bool {
        guard (1...maxLength).contains(name.count), !isReserved(name) else { return false }
        return hasValidCharacters(name)
    }

    /// Letters, digits and single hyphens, not at either end (length aside).
    public static func hasValidCharacters(_ name: String) -> Bool {
        name.split(separator: "-", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    public static func isReserved(_ name: String) -> Bool { ["new", "create"].contains(name.lowercased()) }
}
