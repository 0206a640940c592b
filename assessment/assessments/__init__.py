"""Rounds and their answers in the database: create, answer, compare, rescore.

Modules: `repository` (organisations, teams, rounds, saving answers), `lookup`
(plain reads the other modules share), `bulk` (answers files applied all or
nothing), `rounds` (starting a round, carrying answers over), `comparison` (what
moved between two rounds), `scores` (stored scores kept current on every write).
"""
