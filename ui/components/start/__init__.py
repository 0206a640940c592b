"""The Start page's helpers. Modules: `actions` (callbacks that create organisations, teams and rounds), `state`."""
