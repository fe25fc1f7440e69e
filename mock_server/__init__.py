"""API sandbox: contract-driven fakes of the casavi, Afosto, Relay and Case messages APIs."""

__version__ = "0.1.0"


def create_app(*args, **kwargs):
    """The sandbox's ASGI application; see `mock_server.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(*args, **kwargs)
