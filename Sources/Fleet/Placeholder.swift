public enum FleetPlaceholder {}
