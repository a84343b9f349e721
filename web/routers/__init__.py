"""The web API's routers, one per area; ``web.app.create_app`` includes them."""
