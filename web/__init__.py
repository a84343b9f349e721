"""The web API: ``create_app()`` in ``web.app``, routers in ``web.routers``."""
