import CoderAPI
import Foundation
import PropertyBased
import Testing

/// `SelectiveJSONDecoder` and `StreamedListDecoder` against Foundation's `JSONDecoder` (as `CoderJSON` sets it up):
/// on every body of every shared cassette, read as every model, and on generated workspaces, both must succeed with
/// equal values or both fail.
@Suite struct SelectiveJSONDecoderTests {
    /// Decodes `body` both ways and records a disagreement; true when `JSONDecoder` succeeded.
    @discardableResult
    static func agree<T: Decodable & Equatable>(
        _ type: T.Type, _ body: Data, _ context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Bool {
        let reference = Result { try CoderJSON.decode(T.self, from: body) }
        let selective = Result { try SelectiveJSONDecoder().decode(T.self, from: body) }
        switch (reference, selective) {
        case (.success(let expected), .success(let actual)):
            #expect(expected == actual, "\(context): \(T.self) decodes differently", sourceLocation: sourceLocation)
            return true
        case (.failure, .failure):
            return false
        case (.success, .failure(let error)):
            Issue.record("\(context): JSONDecoder reads \(T.self) but the selective decoder fails: \(error)", sourceLocation: sourceLocation)
            return true
        case (.failure(let error), .success):
            Issue.record("\(context): the selective decoder reads \(T.self) but JSONDecoder fails: \(error)", sourceLocation: sourceLocation)
            return false
        }
    }

    /// The streamed list decoder, fed `body` in pieces of `size` bytes, against `JSONDecoder`.
    static func agreeStreamed(_ body: Data, pieces size: Int, _ context: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = try? CoderJSON.decode(WorkspaceViewsResponse.self, from: body)
        var decoder = StreamedListDecoder<WorkspaceViewsResponse>()
        let streamed = Result {
            var offset = 0
            while offset < body.count {
                let piece = body[(body.startIndex + offset)..<(body.startIndex + min(body.count, offset + size))]
                try piece.withUnsafeBytes { try decoder.consume($0) }
                offset += size
            }
            return try decoder.result()
        }
        switch (reference, streamed) {
        case (let expected?, .success(let actual)):
            #expect(expected == actual, "\(context): the streamed list differs (pieces of \(size))", sourceLocation: sourceLocation)
        case (nil, .failure): break
        case (_?, .failure(let error)):
            Issue.record("\(context): streaming in pieces of \(size) fails: \(error)", sourceLocation: sourceLocation)
        case (nil, .success):
            Issue.record("\(context): streaming reads a list JSONDecoder refuses", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: Fixtures.allCassetteNames)
    func everyCassetteBodyDecodesAlike(cassette name: String) throws {
        let cassette = try Fixtures.cassette(name)
        var workspaceBodies = 0
        for (index, interaction) in cassette.interactions.enumerated() {
            let body = Data((interaction.response.body.string ?? "").utf8)
            guard !body.isEmpty else { continue }
            let context = "\(name) #\(index) \(interaction.request.method) \(interaction.request.path)"
            if Self.agree(WorkspaceView.self, body, context) { workspaceBodies += 1 }
            if Self.agree(WorkspaceViewsResponse.self, body, context) {
                workspaceBodies += 1
                for size in [1, 7, 100, 4096, body.count] { Self.agreeStreamed(body, pieces: size, context) }
            }
            Self.agree(Workspace.self, body, context)
            Self.agree(WorkspacesResponse.self, body, context)
            Self.agree(WorkspaceBuild.self, body, context)
            Self.agree([Template].self, body, context)
            Self.agree(Template.self, body, context)
            Self.agree(TemplateVersion.self, body, context)
            Self.agree([TemplateVersionParameter].self, body, context)
            Self.agree([Preset].self, body, context)
            Self.agree([Organization].self, body, context)
            Self.agree(CoderTask.self, body, context)
            Self.agree(TaskLogsResponse.self, body, context)
            Self.agree(CoderErrorBody.self, body, context)
            Self.agree(BuildInfo.self, body, context)
            Self.agree(User.self, body, context)
            Self.agree([WorkspaceBuildParameter].self, body, context)
        }
        if name.contains("workspace") && !name.contains("not_found") && !name.contains("preset") && !name.contains("invalid") {
            #expect(workspaceBodies > 0, "\(name) has no workspace body to compare")
        }
    }

    // MARK: - Generated workspaces

    /// Text with what JSON must escape: quotes, backslashes, control characters, and characters beyond the BMP.
    static let text = Gen<Character>.oneOf(
        Gen.ascii, Gen.letterOrNumber.compactMap { $0 }, Gen.character(in: "α"..."ω"), Gen.character(in: "😀"..."🙏")
    ).string(of: 0...24)

    /// Texts to fill a fleet's fields, and a seed for its shape (counts, nulls, junk, whitespace, escapes).
    static let fleetInput = zip(text.array(of: 64), Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...4))

    @Test func generatedWorkspacesDecodeAlike() async {
        await propertyCheck(count: 150, input: Self.fleetInput) { texts, seed, size in
            var generator = FleetDocument(texts: texts, seed: seed)
            let list = generator.list(count: size)
            let document = generator.render(list)
            let body = Data(document.utf8)
            #expect(Self.agree(WorkspaceViewsResponse.self, body, "generated list") == true)
            for pieces in [1, 13, 509, body.count] { Self.agreeStreamed(body, pieces: pieces, "generated list") }
            for workspace in list.workspaces {
                let single = Data(generator.render(workspace).utf8)
                #expect(Self.agree(WorkspaceView.self, single, "generated workspace") == true)
                #expect((try? SelectiveJSONDecoder().decode(WorkspaceView.self, from: single)) == workspace)
            }
            #expect((try? StreamedListDecoder<WorkspaceViewsResponse>.decode(body)) == list)
        }
    }

    @Test func truncatedListsFailLikeJSONDecoder() async {
        await propertyCheck(count: 60, input: Self.fleetInput, Gen.double(in: 0..<1)) { input, cut in
            let (texts, seed, size) = input
            var generator = FleetDocument(texts: texts, seed: seed)
            let document = Data(generator.render(generator.list(count: size + 1)).utf8)
            let end = document.lastIndex { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }!
            let truncated = document.prefix(Int(Double(end) * cut))
            #expect(throws: (any Error).self) { try CoderJSON.decode(WorkspaceViewsResponse.self, from: truncated) }
            #expect(throws: (any Error).self) { try SelectiveJSONDecoder().decode(WorkspaceViewsResponse.self, from: truncated) }
            #expect(throws: (any Error).self) { try StreamedListDecoder<WorkspaceViewsResponse>.decode(truncated) }
        }
    }

    // MARK: - Edge cases

    struct Probe: Codable, Equatable {
        var name: String
        var count: Int?
        var ratio: Double?
        var flags: [Bool]?
        var nested: [String: [Int]]?
    }

    @Test(arguments: [
        #"{"name":"a"}"#, #"{"name":"a","count":null}"#, #"{"name":"\u0041\ud83d\ude00\n\"\\\/"}"#, #"{"n\u0061me":"escaped key"}"#,
        #"{"name":"x","count":-0}"#, #"{"name":"x","count":1e2}"#, #"{"name":"x","count":1.5}"#, #"{"name":"x","count":9223372036854775808}"#,
        #"{"name":"x","count":-9223372036854775808}"#, #"{"name":"x","ratio":-1.25e-3}"#, #"{"name":"x","ratio":1}"#, #"{"name":"x","count":01}"#,
        #"{"name":"x","flags":[true,false,null]}"#, #"{"name":"x","flags":[true,false]}"#, #"{"name":"x","nested":{"a":[1,2],"b":[]}}"#,
        #"{"name":"x","name":"y"}"#, #"{"name":1}"#, #"{"name":null}"#, #"{}"#, #"[]"#, #"{"name":"a"} x"#,
        #" {"name" : "a" , "skip" : [{"}":"]"}] } "#,
        #"{"name":"\ud83d"}"#, #"{"name":"\udc00x"}"#, "{\"name\":\"tab\traw\"}", #"{"name":"a","count":"3"}"#, #"{"name":"a","flags":{}}"#,
    ])
    func edgeCasesAgreeWithJSONDecoder(json: String) {
        Self.agree(Probe.self, Data(json.utf8), json)
    }

    @Test func errorsNameThePath() throws {
        let body = Data(#"{"workspaces":[{"id":"a"}],"count":1}"#.utf8)
        let error = #expect(throws: DecodingError.self) { try SelectiveJSONDecoder().decode(WorkspaceViewsResponse.self, from: body) }
        guard case .keyNotFound(let key, let context)? = error else {
            Issue.record("expected keyNotFound, got \(String(describing: error))")
            return
        }
        #expect(key.stringValue == "created_at")
        #expect(context.codingPath.map(\.stringValue) == ["workspaces", "Index 0"])
        let streamed = #expect(throws: DecodingError.self) { try StreamedListDecoder<WorkspaceViewsResponse>.decode(body) }
        guard case .keyNotFound(_, let streamedContext)? = streamed else {
            Issue.record("expected keyNotFound")
            return
        }
        #expect(streamedContext.codingPath.map(\.stringValue) == ["workspaces", "Index 0"])
    }

    @Test func listWithoutTheArrayStillDecodesTheRest() throws {
        // `workspaces` is null: nothing streams, and the answer fails exactly as JSONDecoder fails it.
        let body = Data(#"{"workspaces":null,"count":0}"#.utf8)
        #expect(throws: (any Error).self) { try StreamedListDecoder<WorkspaceViewsResponse>.decode(body) }
        #expect(throws: (any Error).self) { try CoderJSON.decode(WorkspaceViewsResponse.self, from: body) }
        let empty = try StreamedListDecoder<WorkspaceViewsResponse>.decode(Data(#" { "count" : 0 , "workspaces" : [ ] } "#.utf8))
        #expect(empty == WorkspaceViewsResponse(workspaces: [], count: 0))
    }
}
