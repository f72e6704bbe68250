import CoderAPI
public enum FleetCLIPlaceholder {}
