"""The Case messages API v3 (messages on repair cases between partners and providers)."""
