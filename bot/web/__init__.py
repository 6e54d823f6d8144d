"""The bot's one HTTP server (`bot.web.server.HttpServer`) and what is served on it."""
