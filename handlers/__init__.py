"""Feature handlers. A new feature is one module with a Router, plus one line here."""

from bot.chat.router import Features
from handlers import (
    announce,
    calendar,
    edit,
    facts,
    feedback,
    info,
    language,
    links,
    moderation,
    pending,
    places,
    privacy,
    qa,
    reminders,
    schedule,
    start,
    stats,
    unanswered,
    venues,
    web,
)

FEATURES = Features(
    routers=(start.router, schedule.router, facts.router, info.router, language.router,
             venues.router,
             reminders.router, calendar.router, announce.router, unanswered.router,
             edit.router, pending.router, privacy.router, qa.router, moderation.router,
             feedback.router, places.router, stats.router, web.router, links.router),
    messages=reminders.PUSH_MESSAGES,
    command_menu=start.COMMAND_MENU,
    descriptions=(start.BOT_DESCRIPTION, start.BOT_SHORT_DESCRIPTION),
)
