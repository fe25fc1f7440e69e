"""Subcommands of `mock-server`: each module has `register(subparsers)`, which adds its
parser, and the function that runs it."""
