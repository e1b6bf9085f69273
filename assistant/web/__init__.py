"""The approval app: the rep's queue and the manager's console, served by Starlette."""
