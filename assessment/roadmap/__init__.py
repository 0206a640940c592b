"""The roadmap: which foundation investments a team should make, in which order, and why.

Modules: `plan` (selection, ordering, phases and the end states placed after what they need).
Pure functions of a bank, answers, scores and DORA evidence; no database.
"""
