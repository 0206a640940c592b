"""Shared test helpers: imported by test modules and conftest files, never the other way round."""
