import FleetCLI

@main
struct FleetMain {
    static func main() async {
        await FleetCommand.main()
    }
}
