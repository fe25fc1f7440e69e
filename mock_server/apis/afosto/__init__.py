"""The Afosto API (commerce, content, logistics, warehouse, IAM)."""
