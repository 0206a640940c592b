"""The DORA page's helpers (its findings also show on the Results page).

Modules: `widgets` (findings, figures, the mapping step, the typed form), `state`
(the typed form's values and the messages its callbacks leave).
"""
