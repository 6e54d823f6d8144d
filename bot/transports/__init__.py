"""Transports turn platform events into `Incoming` messages and send replies back.

Only modules in this package may import a platform library (telegram, nio).
"""
