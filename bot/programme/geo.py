"""Distances between places, walking-time estimates, and map links."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt
from urllib.parse import urlencode

from bot.programme.model import Coordinates

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG)
WALKING_METRES_PER_MINUTE = 75  # 4.5 km/h
STREET_DETOUR = 1.3  # streets are longer than the straight line between two points


def distance_m(a: Coordinates, b: Coordinates) -> float:
    """The great-circle (straight-line) distance in metres (haversine)."""
    lat1, lon1, lat2, lon2 = map(radians, (a.lat, a.lon, b.lat, b.lon))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(sqrt(h))


def walking_minutes(metres: float) -> int:
    """A rough walking time along streets: an estimate, never a promise."""
    return max(1, round(metres * STREET_DETOUR / WALKING_METRES_PER_MINUTE))


def map_link(point: Coordinates) -> str:
    query = urlencode({"mlat": f"{point.lat:.5f}", "mlon": f"{point.lon:.5f}"})
    return f"https://www.openstreetmap.org/?{query}#map=17/{point.lat:.5f}/{point.lon:.5f}"


def search_link(address: str) -> str:
    """An OpenStreetMap search for an address, when the exact point is not known."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": address})


def route_link(start: Coordinates, end: Coordinates) -> str:
    """An OpenStreetMap route on foot, so people can see the real way there."""
    route = f"{start.lat:.5f},{start.lon:.5f};{end.lat:.5f},{end.lon:.5f}"
    return ("https://www.openstreetmap.org/directions?"
            + urlencode({"engine": "fossgis_osrm_foot", "route": route}))


def address_route_link(start: str, end: str) -> str:
    """An OpenStreetMap route between two places given as text (addresses or 'lat,lon'),
    for places whose exact point is not known: the route planner finds the addresses."""
    return "https://www.openstreetmap.org/directions?" + urlencode({"from": start, "to": end})
