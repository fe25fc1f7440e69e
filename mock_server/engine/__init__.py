"""The vendor-free engine: contracts, routing, validation, the store, responses, journal."""
