"""Feature handlers. A new feature is one module with a Router, plus one line here."""

from handlers import (
    announce,
    calendar,
    info,
    language,
    reminders,
    schedule,
    start,
    unanswered,
    venues,
)

ROUTERS = [start.router, schedule.router, info.router, language.router, venues.router,
           reminders.router, calendar.router, announce.router, unanswered.router]
PUSH_MESSAGES = reminders.PUSH_MESSAGES
COMMAND_MENU = start.COMMAND_MENU
BOT_DESCRIPTIONS = (start.BOT_DESCRIPTION, start.BOT_SHORT_DESCRIPTION)
