"""Contract facts compiled once at start-up: the contract files and the start-up cache, schemas,
operation kinds, references between collections, routing, compiled operations and collection models."""
