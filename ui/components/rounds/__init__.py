"""The Rounds page's helpers.

Modules: `actions` (start a round, confirm carried answers), `views` (a comparison), `state` (the tab's choices).
"""
