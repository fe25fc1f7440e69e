"""What only `mock-server serve` uses: the garbage collector settings, connection read timeouts,
log line formats and the state file."""
