"""Errors the user can act on: the CLI and the pages print their message, never a traceback."""

from __future__ import annotations


class FoundationsError(Exception):
    """Base for errors caused by input or state the user controls."""


class NotFoundError(FoundationsError):
    """A named or numbered record does not exist (or is not visible to the caller)."""


class InvalidAnswerError(FoundationsError):
    """An answer does not fit its question; the message names the question key."""


class SchemaStateError(FoundationsError):
    """The database schema is missing, behind, or newer than this code knows."""


class ConflictError(FoundationsError):
    """A write was made against a stale version of a record."""
