"""API sandbox: contract-driven fakes of the casavi, Afosto, Relay and Case messages APIs."""

__version__ = "0.1.0"
