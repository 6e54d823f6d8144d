"""The conference: its model, `data/` YAML and frab/pretalx sources, validation, diff, live edits,
places, calendars.
"""
