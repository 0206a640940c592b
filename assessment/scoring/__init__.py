"""Scoring: answers against a bank -> foundation scores, levels, risks and readiness.

Pure functions with no database: `engine` holds the rules. Stored scores (the
portfolio reads them) live in `assessment.assessments.scores`.
"""
