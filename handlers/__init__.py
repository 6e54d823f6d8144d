"""Feature handlers. A new feature is one module with a Router, plus one line here."""

from handlers import info, language, schedule, start

ROUTERS = [start.router, schedule.router, info.router, language.router]
