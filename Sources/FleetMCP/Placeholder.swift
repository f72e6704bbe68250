public enum FleetMCPPlaceholder {}
