"""Every route of an application with its full path, whatever nests the routers.

FastAPI 0.16x keeps included routers nested (``app.routes`` lists the routers, and a
route's own ``path`` lacks the prefix it was included under); older versions copied
each route, prefix included, into ``app.routes``. :func:`app_routes` answers the same
for both: the full path template, the methods and the route object that serves it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute, Match
from starlette.types import Scope


@dataclass(frozen=True)
class AppRoute:
    path: str
    methods: frozenset[str]
    route: BaseRoute  # the route object a request's scope["route"] names
    matcher: Any  # has .matches(scope) against the full path

    @property
    def in_schema(self) -> bool:
        return bool(getattr(self.route, "include_in_schema", True))


def app_routes(app: Any) -> list[AppRoute]:
    """The routes of ``app`` (a Starlette/FastAPI application), in matching order."""
    return list(_iter(app.routes))


def _iter(routes: Any) -> Iterator[AppRoute]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before nested routers: the routes are flat already
        for route in routes:
            path = getattr(route, "path", None)
            if path is not None:
                yield AppRoute(path, frozenset(getattr(route, "methods", None) or ()), route, route)
        return
    for context in iter_route_contexts(routes):
        if context.path is not None:
            yield AppRoute(context.path, frozenset(context.methods or ()), context.original_route, context)


def remember_routes(app: Any) -> dict[int, str]:
    """Index ``app``'s routes for :func:`route_template` (on ``app.state``). Walking
    FastAPI's nested routers builds each route's context: ~0.6 s for this app, so the
    app does it at start-up rather than in its first request."""
    routes = app_routes(app)
    paths: dict[int, str] = {}
    for r in routes:
        paths.setdefault(id(r.route), r.path)
    if hasattr(app, "state"):
        app.state.route_paths, app.state.route_list = paths, routes
    return paths


def route_template(app: Any, scope: Scope) -> str | None:
    """The full path template of the route that served ``scope``, None when none did."""
    paths = getattr(app.state, "route_paths", None) if hasattr(app, "state") else None
    if paths is None:
        paths = remember_routes(app)
    route = scope.get("route")
    if route is not None and id(route) in paths:
        return paths[id(route)]
    for candidate in getattr(app.state, "route_list", None) or app_routes(app):
        match, _ = candidate.matcher.matches(scope)
        if match is Match.FULL:
            return candidate.path
    return None
