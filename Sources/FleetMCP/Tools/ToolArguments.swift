import Fleet
import MCP

/// Typed access to a tool's arguments, with errors that name the parameter. No value a caller sends can trap:
/// numbers are range-checked before any conversion.
public struct ToolArguments: Sendable {
    let values: [String: Value]
    let tool: String

    func string(_ name: String) throws -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .int(let number)?: return String(number)
        case .double(let number)?: return String(number)
        default: throw FleetError(.invalidArgument, "\(tool): \(name) must be a string.")
        }
    }

    func requiredString(_ name: String) throws -> String {
        guard let value = try string(name) else { throw FleetError(.invalidArgument, "\(tool): \(name) is required.") }
        return value
    }

    func int(_ name: String) throws -> Int? {
        let invalid = FleetError(.invalidArgument, "\(tool): \(name) must be an integer.")
        switch values[name] {
        case nil, .null?: return nil
        case .int(let number)?: return number
        case .double(let number)?:
            guard number.isFinite, number == number.rounded(), abs(number) < 9e15 else { throw invalid }
            return Int(number)
        case .string(let text)?:
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)) else { throw invalid }
            return number
        default: throw invalid
        }
    }

    /// A finite number.
    func number(_ name: String) throws -> Double? {
        let invalid = FleetError(.invalidArgument, "\(tool): \(name) must be a finite number.")
        let value: Double?
        switch values[name] {
        case nil, .null?: value = nil
        case .int(let number)?: value = Double(number)
        case .double(let number)?: value = number
        case .string(let text)?:
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else { throw invalid }
            value = number
        default: throw invalid
        }
        guard value?.isNaN != true else { throw invalid }
        return value
    }

    /// Seconds as a duration, clamped to `range` (infinity and 1e300 become its upper bound), or nil if absent.
    func seconds(_ name: String, within range: ClosedRange<Double>) throws -> Duration? {
        guard let value = try number(name) else { return nil }
        guard value > 0 else { throw FleetError(.invalidArgument, "\(tool): \(name) must be positive.") }
        let clamped = min(max(value, range.lowerBound), range.upperBound)
        return .milliseconds(Int64((clamped * 1000).rounded()))
    }
}
