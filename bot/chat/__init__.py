"""What a handler works with: the Speaker, the views, the router and its Context, the service
interfaces.
"""
