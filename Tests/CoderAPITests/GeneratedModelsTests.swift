import CoderAPI
import Foundation
import Testing

/// The generated models against their sources: the generator's own lists (a reference test in the style of
/// apple/swift-openapi-generator) and Coder's swagger (`../shared/coder-api/swagger.json`, v2.35.1).
@Suite struct GeneratedModelsTests {
    /// `Generated.swift`, `WorkspaceViews.swift` and `Enums.swift` are what `Scripts/generate-models.py` writes today.
    @Test func committedModelsAreTheGeneratorsOutput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.repositoryRoot.appendingPathComponent("Scripts/generate-models.py").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(message)")
    }

    /// A password-login user has no `avatar_url` on `GET /api/v2/users/me`: coderd's `codersdk.MinimalUser` tags it
    /// `json:"avatar_url,omitempty"` (codersdk/users.go at v2.35.1, as issue 18 reports), and the swagger's
    /// `codersdk.User.required` lists only created_at, email, id, username.
    @Test func userWithoutAvatarDecodes() throws {
        let body =
            #"{"id":"0b7e9c0e-5d6e-4f7a-9a51-1f7c2b8d2a10","username":"pat","email":"pat@example.com","#
            + #""created_at":"2025-11-10T10:38:10Z","status":"active","login_type":"password","organization_ids":[],"roles":[]}"#
        let user = try CoderJSON.decode(User.self, from: Data(body.utf8))
        #expect(user.avatarURL == nil)
        #expect(user.username == "pat")
    }

    /// Each model naming a `codersdk.X` whose swagger definition has a `required` list decodes from an object holding
    /// only those keys: the model requires nothing the swagger does not (`definitions.<X>.required` in
    /// ../shared/coder-api/swagger.json; swaggo writes a key there for Go fields tagged `validate:"required"`).
    @Test(arguments: ["codersdk.User", "codersdk.Organization"])
    func modelsRequireOnlySwaggersRequiredKeys(definition: String) throws {
        let swagger = try #require(
            jsonObject(try Data(contentsOf: Fixtures.shared.appendingPathComponent("coder-api/swagger.json"))) as? [String: Any])
        let definitions = try #require(swagger["definitions"] as? [String: Any])
        let schema = try #require(definitions[definition] as? [String: Any])
        let required = try #require(schema["required"] as? [String])
        let properties = try #require(schema["properties"] as? [String: Any])
        var minimal: [String: Any] = [:]
        for key in required {
            let property = properties[key] as? [String: Any] ?? [:]
            minimal[key] = Self.sample(property)
        }
        let data = try JSONSerialization.data(withJSONObject: minimal)
        if definition == "codersdk.User" { _ = try CoderJSON.decode(User.self, from: data) }
        if definition == "codersdk.Organization" { _ = try CoderJSON.decode(Organization.self, from: data) }
    }

    /// Every generated model with a swagger definition that lists `required` keys is covered above.
    @Test func everySwaggerRequiredListIsChecked() throws {
        let script = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Scripts/generate-models.py"), encoding: .utf8)
        let swagger = try #require(
            jsonObject(try Data(contentsOf: Fixtures.shared.appendingPathComponent("coder-api/swagger.json"))) as? [String: Any])
        let definitions = try #require(swagger["definitions"] as? [String: Any])
        let named = Set(script.matches(of: /`(codersdk\.\w+)`/).map { String($0.1) })
        let withRequired = named.filter { ((definitions[$0] as? [String: Any])?["required"] as? [String])?.isEmpty == false }
        #expect(withRequired == ["codersdk.User", "codersdk.Organization"])
    }

    private static func sample(_ property: [String: Any]) -> Any {
        switch (property["type"] as? String, property["format"] as? String) {
        case ("string", "date-time"): "2025-11-10T10:38:10Z"
        case ("string", "uuid"): "0b7e9c0e-5d6e-4f7a-9a51-1f7c2b8d2a10"
        case ("boolean", _): true
        case ("integer", _), ("number", _): 1
        case ("array", _): [Any]()
        default: "x"
        }
    }
}
