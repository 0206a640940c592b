"""What an Assess tab remembers besides the database: the answer widgets' values and their bookkeeping.

The widgets of each question hold what the person is typing; which stored version
of the answer they were filled from decides whether a save may overwrite it
(another tab may have saved since); validation messages wait beside a field for
the next run. `AnswerWidgets` is shared with the workshop pages, which draw the
same answer inputs under their own key prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.bank.model import Question
from ui.components.assess.answer_fields import fields_of, uses_number_input, widget_key
from ui.state import Slot


@dataclass(frozen=True)
class AnswerWidgets:
    """Each question's answer widgets on one page: their keys and what they hold.

    The Assess page keys a field 'answer:rb_rollback_path'; a workshop page puts its
    prefix before that ('wf:answer:rb_rollback_path'), so its widgets never disturb an
    Assess tab's. `drawn` limits the fields to those the page has widgets for.
    """

    prefix: str = ""
    drawn: frozenset[str] | None = None

    def key(self, field: str, question_key: str) -> str:
        plain_key = widget_key(field, question_key)
        return f"{self.prefix}:{plain_key}" if self.prefix else plain_key

    def slot(self, field: str, question_key: str) -> Slot[Any]:
        return Slot[Any](self.key(field, question_key), None)

    def fields(self, question: Question) -> tuple[str, ...]:
        return tuple(f for f in fields_of(question) if self.drawn is None or f in self.drawn)

    def values(self, question: Question) -> dict[str, Any]:
        """What the question's widgets hold now, field by field (None for a widget not drawn yet)."""
        return {field: self.slot(field, question.key).get() for field in self.fields(question)}

    def unset(self, question: Question) -> set[str]:
        """Fields whose widgets are not on the page (e.g. a closed 'Note and evidence')."""
        return {field for field in self.fields(question) if not self.slot(field, question.key).is_set()}

    def fill(self, question: Question, values: dict[str, Any]) -> None:
        """Set the question's widgets to these values (fields the page does not draw are skipped)."""
        for field in self.fields(question):
            if field in values:
                self.slot(field, question.key).set(values[field])

    def tidy_flags(self, question: Question, field: str) -> None:
        """A number and a don't-know / n.a. choice exclude each other: the one just set wins."""
        if not uses_number_input(question):
            return
        answer, flag = self.slot("answer", question.key), self.slot("flag", question.key)
        if field == "flag" and flag.get():
            answer.set(None)
        elif field == "answer" and answer.get() is not None:
            flag.set(None)


ANSWERS = AnswerWidgets()  # the Assess page's

_SHOWN = Slot[dict[str, Any] | None]("shown_answer_versions", None)
_PROBLEMS = Slot[dict[str, dict[str, str]] | None]("answer_problems", None)


# --- which stored version of each answer the widgets show ---------------------------------


def _shown(assessment_id: int) -> dict[str, int]:
    book = _SHOWN.get()
    if book is None or book["assessment"] != assessment_id:  # another assessment: nothing said so far applies
        book = {"assessment": assessment_id, "versions": {}}
        _SHOWN.set(book)
        _PROBLEMS.set({})
    versions: dict[str, int] = book["versions"]
    return versions


def shown_version(assessment_id: int, question_key: str) -> int | None:
    """The answer version (0: none) the widgets were last filled from or saved as."""
    return _shown(assessment_id).get(question_key)


def set_shown_version(assessment_id: int, question_key: str, version: int) -> None:
    _shown(assessment_id)[question_key] = version


def forget_shown_version(assessment_id: int, question_key: str) -> None:
    """Make the next run refill this question's widgets from the database."""
    _shown(assessment_id).pop(question_key, None)


# --- messages that callbacks leave beside a field -------------------------------------------


def problems(question_key: str) -> dict[str, str]:
    """Validation messages per field of one question (field -> message)."""
    book = _PROBLEMS.get()
    if book is None:
        book = {}
        _PROBLEMS.set(book)
    return book.setdefault(question_key, {})
