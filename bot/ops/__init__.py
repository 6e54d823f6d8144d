"""Running the bot: serving, leadership, status, the programme watcher, schedule import."""
