"""Workshops: many participants answer on their own, the facilitator records one agreed answer.

Modules: `tokens` (codes, keys, hashing), `access` (every link and key check),
`admin` (lifecycle), `participants` (join, answer, resume),
`links` (the join and facilitator links), `dashboard` (distribution and spread per question),
`facilitator` (what the key unlocks, including agreed answers).
"""
