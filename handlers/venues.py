"""Places: where everything is, how to get there, how far apart, and what is near you."""

from __future__ import annotations

import re

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from bot.chat.router import Context, Router, same_for_everyone
from bot.chat.speaker import Speaker
from bot.chat.views import NL, example_places, not_announced, session_lines, tr
from bot.core.messages import Button, LocationReply, Reply, TextReply
from bot.language.textmatch import words
from bot.programme.geo import (
    address_route_link,
    distance_m,
    map_link,
    route_link,
    search_link,
    walking_minutes,
)
from bot.programme.model import Coordinates, Landmark, NotAnnounced, Place, Session, Venue

router = Router("venues")
_POSITION = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


def _coordinates(place: Place) -> Coordinates | None:
    return place.coordinates if isinstance(place.coordinates, Coordinates) else None


def _origins(ctx: Context, venue: Venue) -> list[Place]:
    """Where directions start from: the main venue and the landmarks (e.g. the main station)."""
    main = ctx.conference.main_venue
    origins: list[Place] = [main] if main is not None and main is not venue else []
    return origins + list(ctx.conference.landmarks.values())


def distance_text(ctx: Speaker, metres: float) -> Markup:
    """'1.2 km in a straight line, about 20 min on foot (estimate)'."""
    if metres < 1000:
        straight = ctx._("%(metres)s m in a straight line", metres=int(round(metres, -1)))
    else:
        km = format_decimal(metres / 1000, "0.0", locale=ctx.t.locale)
        straight = ctx._("%(km)s km in a straight line", km=km)
    minutes = walking_minutes(metres)
    if minutes < 60:
        walk = ctx.ngettext("about %(num)d minute on foot", "about %(num)d minutes on foot",
                            minutes)
    else:
        hours = format_decimal(minutes / 60, "0.#", locale=ctx.t.locale)
        walk = ctx._("about %(hours)s h on foot", hours=hours)
    return straight + Markup(", ") + walk + Markup(" ") + ctx._("(an estimate)")


def _leg(ctx: Speaker, origin: Place, venue: Venue) -> Markup | None:
    start, end = _coordinates(origin), _coordinates(venue)
    if start is None or end is None:
        return None
    return ctx._("From %(origin)s: %(distance)s — route: %(link)s", origin=tr(ctx, origin.name),
                 distance=distance_text(ctx, distance_m(start, end)),
                 link=route_link(start, end))


def place_details(ctx: Context, venue: Venue, *, listing: bool = True) -> Markup:
    """Everything known about a place, with what is not announced said plainly (and, with
    `listing`, what happens there)."""
    lines = [Markup("<b>%s</b>") % tr(ctx, venue.name)]
    address = (not_announced(ctx) if isinstance(venue.address, NotAnnounced)
               else escape(venue.address))
    lines.append(ctx._("Address: %(address)s", address=address))
    if venue.note:
        lines.append(tr(ctx, venue.note))
    if isinstance(venue.directions, NotAnnounced):
        lines.append(ctx._("How to get there: the organisers have not published directions."))
    else:
        lines.append(ctx._("How to get there: %(directions)s",
                           directions=tr(ctx, venue.directions)))
    legs = [leg for origin in _origins(ctx, venue) if (leg := _leg(ctx, origin, venue))]
    lines.extend(legs)
    point = _coordinates(venue)
    if point is None:
        lines.append(ctx._("Its exact location has not been announced, so I cannot show it on "
                           "the map."))
        if isinstance(venue.address, str):
            lines.append(ctx._("Search for the address on the map: %(link)s",
                               link=search_link(venue.address)))
    else:
        lines.append(ctx._("Map: %(link)s (placed to within about %(metres)s m)",
                           link=map_link(point), metres=point.precision_m))
    lines.append(ctx._("Accessibility: %(text)s", text=tr(ctx, venue.accessibility)))
    if isinstance(venue.accessibility, NotAnnounced):
        lines.append(ctx._("Ask the organisers if you need step-free access, a sign language "
                           "interpreter or an induction loop (/info accessibility)."))
    here = ctx.conference.at_venue(venue) if listing else []
    if here:
        lines += [ctx._("Here:"), session_lines(ctx, here, show_day=True)]
    return NL.join(lines)


def where_replies(ctx: Context, venue: Venue, *, listing: bool = True,
                  heading: Markup | None = None) -> list[Reply]:
    details = place_details(ctx, venue, listing=listing)
    replies: list[Reply] = [TextReply(details if heading is None
                                      else NL.join([heading, Markup(""), details]))]
    point = _coordinates(venue)
    if point is not None:
        address = venue.address if isinstance(venue.address, str) else ""
        replies.append(LocationReply(point.lat, point.lon, venue.name[ctx.lang], address))
    return replies


def _landmark_replies(ctx: Context, landmark: Landmark) -> list[Reply]:
    point = landmark.coordinates
    text = NL.join([Markup("<b>%s</b>") % tr(ctx, landmark.name),
                    ctx._("This is not a conference venue. See /venues for the places.")])
    return [TextReply(text), LocationReply(point.lat, point.lon, landmark.name[ctx.lang], "")]


def _place_replies(ctx: Context, place: Place) -> list[Reply]:
    if isinstance(place, Venue):
        return where_replies(ctx, place)
    return _landmark_replies(ctx, place)


@router.command("venues", "miejsca", "places")
@router.intent("venues")
@same_for_everyone
def venues(ctx: Context) -> TextReply:
    """List every place with what happens there and when."""
    blocks = [ctx._("<b>Where the conference happens</b>")]
    for venue in ctx.conference.venues.values():
        address = venue.address if isinstance(venue.address, str) else not_announced(ctx)
        lines = [Markup("<b>%s</b> — %s — %s") % (tr(ctx, venue.name), address,
                                                  where_link(venue.id))]
        here = ctx.conference.at_venue(venue)
        if here:
            lines.append(session_lines(ctx, here, show_day=True))
        blocks.append(NL.join(lines))
    unplaced = [s for s in ctx.conference.walk()
                if s.parent is None and not isinstance(s.venue, Venue)]
    if unplaced:
        blocks.append(NL.join([ctx._("<b>Place not announced</b>"),
                               session_lines(ctx, unplaced, show_day=True)]))
    return TextReply((NL + NL).join(blocks))


@router.command("where", "gdzie", "de")
@same_for_everyone
def where_command(ctx: Context) -> list[Reply] | TextReply:
    """Where a place or a session is (/where skawina, /where s4)."""
    argument = ctx.args.strip()
    if not argument:
        return venues(ctx)
    session = ctx.conference.sessions.get(argument.lower().lstrip("/"))
    if session is not None:
        return _session_place(ctx, [session])
    place = ctx.conference.venues.get(argument) or ctx.conference.landmarks.get(argument)
    places = [place] if place else ctx.understanding.find_places(words(argument))
    if places:
        return _place_replies(ctx, places[0])
    sessions = ctx.understanding.search(argument, limit=3)
    return _session_place(ctx, sessions)


def where_link(place_id: str) -> str:
    """A place's own command, one word so that a tap sends all of it (/where_zablocie)."""
    return "/where_" + place_id.replace("-", "_")


@router.pattern(r"where_(\w+)")
@same_for_everyone
def where_place(ctx: Context) -> list[Reply] | TextReply:
    """A place by its own command (/where_mam_kozlowka is /where mam-kozlowka)."""
    written = ctx.match.group(1).lower() if ctx.match else ""
    hyphened = written.replace("_", "-")
    known = ctx.conference.venues.keys() | ctx.conference.landmarks.keys()
    ctx.args = hyphened if hyphened in known else written
    return where_command(ctx)


@router.intent("where")
@same_for_everyone
def where(ctx: Context) -> list[Reply] | TextReply:
    """Answer 'where is …' / 'how do I get to …' with the address, directions and a pin."""
    assert ctx.intent is not None
    if ctx.intent.places and not ctx.intent.sessions:
        return _place_replies(ctx, ctx.intent.places[0])
    return _session_place(ctx, ctx.intent.sessions)


def _session_place(ctx: Context, sessions: list[Session]) -> list[Reply] | TextReply:
    if not sessions:
        if ctx.intent is not None and ctx.intent.query:
            ctx.store.unanswered.record(ctx.intent.query, ctx.lang, ctx.now)
        return TextReply(NL.join([ctx._("I do not know which place you mean."),
                                  ctx._("See all places: /venues")]))
    placed = ctx.conference.venues_of(sessions)
    if len(placed) == 1:
        heading = session_lines(ctx, sessions[:3], show_day=True)
        return where_replies(ctx, placed[0], listing=False, heading=heading)
    if not placed:
        return TextReply(NL.join([session_lines(ctx, sessions[:3], show_day=True),
                                  ctx._("Where: %(where)s", where=not_announced(ctx))]))
    lines = [ctx._("These happen in different places:")]
    for venue in placed:
        lines.append(Markup("• ") + tr(ctx, venue.name) + Markup(" — ") + where_link(venue.id))
    return TextReply(NL.join(lines))


@router.intent("distance")
@same_for_everyone
def distance(ctx: Context) -> TextReply:
    """'How far is A from B?': the straight-line distance and a walking estimate."""
    assert ctx.intent is not None
    places = ctx.intent.places
    if len(places) == 1 and ctx.conference.main_venue is not None \
            and places[0] is not ctx.conference.main_venue:
        places = [places[0], ctx.conference.main_venue]
    if len(places) < 2:
        return TextReply(NL.join([
            ctx._("Name two places, e.g. “how far is %(first)s from %(second)s?”.",
                  first=example_places(ctx.conference, 2)[0],
                  second=example_places(ctx.conference, 2)[1]),
            ctx._("See all places: /venues")]))
    first, second = places[0], places[1]
    a, b = _coordinates(first), _coordinates(second)
    if a is None or b is None:
        unknown = first if a is None else second
        lines = [ctx._("The exact location of %(place)s has not been announced, so I "
                       "cannot tell the distance.", place=tr(ctx, unknown.name))]
        start, end = _route_end(first), _route_end(second)
        if start and end:
            lines += [ctx._("%(first)s: %(start)s → %(second)s: %(end)s",
                            first=tr(ctx, first.name), start=_address(first) or start,
                            second=tr(ctx, second.name), end=_address(second) or end),
                      ctx._("The route planner finds the way between the addresses: %(link)s",
                            link=address_route_link(start, end))]
        else:  # the other end is known: where it is, so half the way is answered
            known = second if unknown is first else first
            if _address(known):
                lines.append(ctx._("%(place)s is at %(address)s.", place=tr(ctx, known.name),
                                   address=_address(known)))
        return TextReply(NL.join(lines))
    return TextReply(NL.join([
        ctx._("%(first)s → %(second)s:", first=tr(ctx, first.name), second=tr(ctx, second.name)),
        distance_text(ctx, distance_m(a, b)),
        ctx._("Route on the map: %(link)s", link=route_link(a, b)),
    ]))


def _route_end(place: Place) -> str | None:
    """A place as the route planner takes it: its point when known, else its address."""
    point = _coordinates(place)
    if point is not None:
        return f"{point.lat:.5f},{point.lon:.5f}"
    return _address(place)


def _address(place: Place) -> str | None:
    address = getattr(place, "address", None)
    return address if isinstance(address, str) else None


@router.command("here", "near", "blisko")
def here_command(ctx: Context) -> TextReply:
    """/here 50.05 19.95 — the same as sharing a location."""
    match = _POSITION.match(ctx.args)
    if not match:
        return TextReply(ctx._("Share your location, or type /here followed by latitude and "
                               "longitude, e.g. /here 50.0486 19.9584."))
    lat, lon = float(match.group(1)), float(match.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return TextReply(ctx._("Those are not coordinates on Earth. "
                               "Try e.g. /here 50.0486 19.9584."))
    return nearby(ctx, Coordinates(lat, lon, "shared by the user", 50))


@router.intent("location")
def shared_location(ctx: Context) -> TextReply:
    """A shared position: the nearest venues with the next session at each."""
    assert ctx.incoming.location is not None
    lat, lon = ctx.incoming.location
    return nearby(ctx, Coordinates(lat, lon, "shared by the user", 50))


def nearby(ctx: Context, position: Coordinates, limit: int = 3) -> TextReply:
    placed = [(distance_m(position, point), venue) for venue in ctx.conference.venues.values()
              if (point := _coordinates(venue)) is not None]
    if not placed:
        return TextReply(ctx._("No venue has an announced location yet."))
    lines = [ctx._("<b>Nearest venues</b>")]
    for metres, venue in sorted(placed, key=lambda item: item[0])[:limit]:
        lines.append(Markup("<b>%s</b> — %s") % (tr(ctx, venue.name), where_link(venue.id)))
        lines.append(Markup("   ") + distance_text(ctx, metres))
        upcoming = [s for s in ctx.conference.at_venue(venue) if s.span[1] > ctx.now]
        if upcoming:
            lines.append(Markup("   ") + ctx._("Next here:") + Markup(" ")
                         + session_lines(ctx, upcoming[:1], show_day=True))
        else:
            lines.append(Markup("   ") + ctx._("Nothing more is planned here."))
    return TextReply(NL.join(lines))


def travel_note(ctx: Speaker, previous: Session, venue: Venue) -> Markup:
    """For a reminder: how to get here from the person's previous session elsewhere."""
    origin = previous.venue
    lines = [ctx._("You are coming from %(place)s (/%(id)s).",
                   place=tr(ctx, origin.name) if isinstance(origin, Venue) else
                   not_announced(ctx), id=previous.id)]
    if isinstance(venue.directions, NotAnnounced):
        lines.append(ctx._("How to get there: the organisers have not published directions."))
    else:
        lines.append(ctx._("How to get there: %(directions)s",
                           directions=tr(ctx, venue.directions)))
    if isinstance(origin, Venue) and (leg := _leg(ctx, origin, venue)):
        lines.append(leg)
    return NL.join(lines)


def directions_button(ctx: Speaker, venue: Venue) -> Button:
    return Button(ctx.t.gettext("Directions"), f"/where {venue.id}")
