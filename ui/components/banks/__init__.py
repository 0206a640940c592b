"""The Question banks page's helpers.

Modules: `state` (the tab's choices), `actions` (publish the uploaded bank), `views` (a checked upload,
two banks side by side).
"""
