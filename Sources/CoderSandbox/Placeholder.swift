public enum CoderSandboxPlaceholder {}
