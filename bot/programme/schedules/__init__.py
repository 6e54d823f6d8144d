"""Conference schedules from elsewhere: frab/Pentabarf XML and C3VOC/pretalx JSON, once or live."""
