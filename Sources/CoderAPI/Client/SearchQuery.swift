/// A workspace search query (`q=` of `GET /api/v2/workspaces`), written the way Coder's Go client writes it:
/// `owner:"me" name:"agent-x"` with values quoted like Go's `%q` (`codersdk/workspaces.go` `WorkspaceFilter`).
public struct WorkspaceFilter: Sendable, Hashable {
    public var owner: String?
    public var name: String?
    public var template: String?
    public var status: String?
    /// `param:name` (has the parameter) or `param:name=value`.
    public var parameters: [ParameterMatch]
    public var hasAITask: Bool?
    /// Free text, matched against the name by Coder.
    public var freeText: String?

    public struct ParameterMatch: Sendable, Hashable {
        public var name: String
        public var value: String?
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public init(
        owner: String? = nil, name: String? = nil, template: String? = nil, status: String? = nil,
        parameters: [ParameterMatch] = [], hasAITask: Bool? = nil, freeText: String? = nil
    ) {
        self.owner = owner
        self.name = name
        self.template = template
        self.status = status
        self.parameters = parameters
        self.hasAITask = hasAITask
        self.freeText = freeText
    }

    /// The `q` value; empty when the filter matches everything.
    public var query: String {
        var parts: [String] = []
        if let owner { parts.append("owner:" + goQuote(owner)) }
        if let name { parts.append("name:" + goQuote(name)) }
        if let template { parts.append("template:" + goQuote(template)) }
        if let status { parts.append("status:" + goQuote(status)) }
        for parameter in parameters {
            let text = parameter.value.map { "\(parameter.name)=\($0)" } ?? parameter.name
            parts.append("param:" + goQuote(text))
        }
        if let hasAITask { parts.append("has-ai-task:\(hasAITask)") }
        if let freeText { parts.append(goQuote(freeText)) }
        return parts.joined(separator: " ")
    }
}

/// Quotes like Go's `strconv.Quote` (what `%q` does) for the characters that can occur in names and values.
public func goQuote(_ value: String) -> String {
    var out = "\""
    for scalar in value.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7f {
                out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
