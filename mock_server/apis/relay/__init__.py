"""The Relay API (orders, customers and properties for service providers)."""
