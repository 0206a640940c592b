"""Helpers of one area of the app, used by that area's pages; what every page shares stays in `ui/` itself.

Areas: `start` (organisations, teams, new rounds), `assess` (the answer widgets and
what they save; the workshop pages reuse its answer fields), `rounds` (next round,
carried answers, comparison), `banks` (an uploaded bank checked and published, two
banks side by side), `portfolio` (cached data, downloads), `workshop`
(creating one, the dashboard's tables, the answer inputs of both workshop pages)
and `dora` (figures, findings, the mapping step and the typed form).
An area's `state` module declares the session-state slots its page and helpers share.
"""
