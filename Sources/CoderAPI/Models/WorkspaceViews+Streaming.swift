import Foundation

/// Types `CoderClient` decodes with `SelectiveJSONDecoder` instead of Foundation's `JSONDecoder`: the views of
/// workspaces, which read a small part of a large answer.
protocol ReadSelectively {}

extension WorkspaceView: ReadSelectively {}
extension WorkspaceViewsResponse: ReadSelectively {}

/// A fleet's workspace list is streamed: each workspace is decoded as soon as its bytes are in.
extension WorkspaceViewsResponse: StreamableList {
    public static var elementsKey: String { "workspaces" }

    public var streamedElements: [WorkspaceView] {
        get { workspaces }
        set { workspaces = newValue }
    }
}
