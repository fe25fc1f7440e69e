"""Contract-testing tools: override rules, faults on the wire, chaos, the request journal and coverage."""
