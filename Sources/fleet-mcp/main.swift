import FleetCLI
print("x")
