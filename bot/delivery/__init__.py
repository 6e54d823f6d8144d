"""Pushed messages: the outbox sender, pacing, reminders, change notices, broadcasts."""
