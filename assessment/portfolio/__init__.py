"""The portfolio: every team of an organisation side by side.

Modules: `data` (latest rounds and stored scores, aggregated in SQL), `filters`
(the filter and sort a leader picks), `insights` (what moved, common gaps),
`dora` (the teams' DORA figures in one pass).
"""
