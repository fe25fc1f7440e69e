"""API sandbox: contract-driven fakes of the casavi, Afosto, Relay and Case messages APIs."""

from .version import __version__

__all__ = ["__version__", "create_app"]


def create_app(*args, **kwargs):
    """The sandbox's ASGI application; see `mock_server.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
