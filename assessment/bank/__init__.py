"""Question banks: what is asked, how an answer may look, what a weak answer triggers.

Modules: `model` (the typed bank: questions, options, gates, investments, end
states), `loader` (YAML -> model, every cross-reference checked with file, line and
path), `answers` (one answer value and the checks it must pass against its question).
"""
