"""Feature handlers. A new feature is one module with a Router, plus one line here."""

from handlers import info, language, schedule, start, venues

ROUTERS = [start.router, schedule.router, info.router, language.router, venues.router]
