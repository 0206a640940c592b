"""Question banks: what is asked, how an answer may look, what a weak answer triggers.

Modules: `model` (the typed bank: questions, measured deciding tests, exposures,
investments, end states), `loader` (YAML -> model, every problem located with file,
line and path), `checks` (the rules that span records), `answers` (one answer value
and the checks it must pass against its question).
"""
