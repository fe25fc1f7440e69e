"""The validating proxy (`mock-server proxy`): the real API behind, every exchange checked against its contract."""
