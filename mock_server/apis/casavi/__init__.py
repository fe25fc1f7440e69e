"""The casavi manager API v1 (property management)."""
