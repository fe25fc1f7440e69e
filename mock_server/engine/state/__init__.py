"""What a served API holds: the store and its change events, accounts, reused answers, contained
failures, and the models of fixture documents."""
