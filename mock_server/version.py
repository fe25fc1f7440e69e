"""The package's version: the one place it is written (the distribution's metadata is made from it)."""

__version__ = "0.1.0"
