"""DORA data: import (typed figures, canonical files, mapped exports), metrics, benchmarks, cross-check.

Packages: `ingest` (files -> stored rows), `metrics` (stored rows -> the four keys).
Modules: `formats` (the canonical columns both share), `benchmarks` (the DORA 2024
clusters), `figures` (typed figures), `summary` (a figure in words), `lookback` (the
organisation's attribution look-back), `observed` (what the data shows, in the
cross-check's terms), `crosscheck` (answers against data), `team` (everything a
team's data says, gathered once), `demo` (the demo teams' data), `service` (what the
page and `foundations dora` call: the one DORA module the interfaces import besides `team`).

Read docs/DORA.md for the canonical format and every definition used here.
"""
