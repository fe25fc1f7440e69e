"""The `/__admin` API: inspect and drive the sandbox."""
