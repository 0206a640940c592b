"""Core: what every other package stands on, and nothing of the method.

Modules: `config` (one Settings object from environment variables), `db` (engines,
sessions, SQLite pragmas, migrations), `errors` (the exceptions a person may see),
`numbers` and `emails` (formatting and normalising), `types` (column types and the
clock that tables and frozen migrations share).
"""
