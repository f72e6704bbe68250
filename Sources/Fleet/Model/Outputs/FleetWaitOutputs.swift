import Foundation

/// The answer of `wait_for_fleet`.
public struct FleetWaitResult: FleetOutput, Hashable {
    /// What changed, oldest first.
    public var events: [FleetEvent]
    /// Pass as `since` to the next call: nothing after it is missed, whichever server answers.
    public var cursor: String
    public var timedOut: Bool
    public var waitedSeconds: Double
    /// How many agents were watched.
    public var agentsWatched: Int
    /// Workspace-list requests made (one per poll, whatever the fleet's size).
    public var polls: Int

    public static let schema = JSONSchema.object(
        [
            "events": .array(FleetEvent.schema, "Status changes worth attention, oldest first"),
            "cursor": .string("Pass as since to the next wait_for_fleet so nothing in between is missed"),
            "timed_out": .boolean("The wait ended by timeout without an event"),
            "waited_seconds": .number("Seconds waited"),
            "agents_watched": .integer("Agents watched"),
            "polls": .integer("Coder workspace-list requests made"),
        ], required: ["events", "cursor", "timed_out", "waited_seconds", "agents_watched", "polls"])
}
