"""A planned day as GeoJSON: one LineString per route (depot, stops, depot) and one
Point per stop, coordinates in [lon, lat] order as GeoJSON requires."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session, select

from logistics.models import Item, PostOffice, Postman, Route, RouteStop, RouteStopItem, User


def day_geojson(session: Session, *, post_office_id: int, day: date) -> dict[str, Any]:
    office = session.get(PostOffice, post_office_id)
    depot = [office.lon, office.lat] if office else None
    features: list[dict[str, Any]] = []
    routes = session.exec(
        select(Route).where(Route.post_office_id == post_office_id, Route.day == day).order_by(Route.id)
    ).all()
    for index, route in enumerate(routes):
        postman = session.get(Postman, route.postman_id)
        user = session.get(User, postman.user_id) if postman else None
        stops = session.exec(select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.seq)).all()
        line = ([depot] if depot else []) + [[s.lon, s.lat] for s in stops] + ([depot] if depot else [])
        load = session.exec(
            select(Item.id, Item.weight_g).join(RouteStopItem, RouteStopItem.item_id == Item.id)
            .where(RouteStopItem.stop_id.in_([s.id for s in stops])).distinct()
        ).all()
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": line},
            "properties": {
                "kind": "route", "route_id": route.id, "color_index": index, "postman_id": route.postman_id,
                "postman": user.username if user else None, "status": route.status.value,
                "distance_m": route.distance_m, "duration_s": route.duration_s, "stops": len(stops),
                "pinned": route.pinned, "load_items": len(load), "load_g": sum(w for _, w in load),
            },
        })
        for stop in stops:
            rows = session.exec(
                select(RouteStopItem, Item.s10).join(Item, Item.id == RouteStopItem.item_id)
                .where(RouteStopItem.stop_id == stop.id)
            ).all()
            features.append({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                "properties": {
                    "kind": "stop", "stop_id": stop.id, "route_id": route.id, "seq": stop.seq, "place_kind": stop.place_kind.value,
                    "status": stop.status.value, "pinned": stop.pinned,
                    "planned_arrival": stop.planned_arrival.isoformat() if stop.planned_arrival else None,
                    "arrive_from": stop.arrive_from.isoformat() if stop.arrive_from else None,
                    "arrive_to": stop.arrive_to.isoformat() if stop.arrive_to else None,
                    "items": [{"s10": s10, "action": link.action.value} for link, s10 in rows],
                },
            })
    return {"type": "FeatureCollection", "features": features}
