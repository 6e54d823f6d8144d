"""Free text -> a meaning: entities, time expressions, question words."""
