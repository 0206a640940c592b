"""Database tables, one module per area; the migrations' env.py imports every one.

Modules: `assessments` (organisations, teams, bank versions, rounds, answers and
their history), `access` (memberships, audit log), `workshops` (workshops,
participants, their answers and decisions), `branding` (an organisation's report
branding), `banks` (the question banks an organisation
published), `scores` (stored scores the portfolio aggregates), `dora` (imported DORA
rows, typed figures, findings, saved mappings).
"""
