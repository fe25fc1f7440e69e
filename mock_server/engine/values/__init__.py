"""Values the sandbox makes: fake data, demo objects, answers shaped to their model, identifiers."""
