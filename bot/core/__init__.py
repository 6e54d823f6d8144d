"""Foundation: the clock, settings, neutral message types, pseudonymous log ids, plain-text
rendering.
"""
