"""Answers against data: each rule compares one claim with one measured figure and quotes both.

A rule returns a Finding only when the claim and the figure cannot both be
true (or make each other very unlikely); thresholds are named constants so a
reader can check them. Findings are stored with the assessment; the results
page and the report show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessment.assessments.repository import load_assessment
from assessment.assessments.scores import refresh_scores
from assessment.bank.answers import AnswerStatus, AnswerValue, describe_value
from assessment.bank.model import AnswerType, Question
from assessment.dora.observed import MIN_INCIDENTS, Observed, observed_for_team
from assessment.dora.summary import hours_text
from assessment.models.assessments import Assessment
from assessment.models.dora import DoraFinding

FAST_ROLLBACK_MINUTES = 15  # a claimed rollback at or under this ...
SLOW_RECOVERY_HOURS = 1.0  # ... does not fit a median recovery over this
FAST_DIAGNOSIS_MINUTES = 30
SLOW_RECOVERY_FOR_DIAGNOSIS_HOURS = 4.0
MANY_INCIDENTS = 12  # about one a week over a quarter
RARE_DEPLOYS_PER_WEEK = 1.0
HIGH_FAILURE_PCT = 30.0
MARGIN = 1.5  # a figure must be this far beyond a limit to contradict a claim: clearly outside, not a last digit
# Which foundation's deciding test each contradiction contests (the claim it doubts sits behind that test).
CONTESTS = {
    "rollback_vs_recovery": "rollback_speed",
    "diagnosis_vs_recovery": "incident_observability",
    "postmortems_vs_incidents": "postmortem_practice",
}


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    answer_quote: str
    data_quote: str
    explanation: str

    @property
    def foundation(self) -> str | None:
        """The foundation whose deciding test this contradiction contests, if any."""
        return CONTESTS.get(self.rule)


@dataclass(frozen=True)
class Outcome:
    """What one check of answers against data concluded, for the report: never "agrees" when it could not check."""

    rule: str
    title: str
    status: str  # "contradiction", "consistent", "not_enough_data", "no_claim", "question"
    text: str


Answers = dict[str, AnswerValue]
Questions = dict[str, Question]


def _quote(question: Question, answer: AnswerValue) -> str:
    """The answer as the team gave it: a level's own wording, otherwise the described value."""
    text = describe_value(question, answer)
    if question.type is AnswerType.LEVEL:
        option = next((o for o in question.options or [] if getattr(o, "level", None) == answer.value), None)
        text = f"{text}: \u201c{' '.join(getattr(option, 'text', '').split())}\u201d" if option else text
    return f"{question.short}: {text}"


def _number(answers: Answers, key: str) -> float | None:
    answer = answers.get(key)
    if answer is None or answer.status is not AnswerStatus.ANSWERED or isinstance(answer.value, bool):
        return None
    return float(answer.value) if isinstance(answer.value, int | float) else None


def _claim(answers: Answers, questions: Questions, number_key: str, limit: float, level_key: str) -> str | None:
    """The quote of a fast claim: a number at or under `limit`, else a level of 3 or more."""
    value = _number(answers, number_key)
    if value is not None and value <= limit and number_key in questions:
        return _quote(questions[number_key], answers[number_key])
    level = _number(answers, level_key)
    if level is not None and level >= 3 and level_key in questions:
        return _quote(questions[level_key], answers[level_key])
    return None


def _recovery(observed: Observed) -> str:
    if observed.typed_recovery is not None:
        return f"time to restore {observed.typed_recovery} ({observed.source})"
    return (
        f"median time to restore {hours_text(observed.recovery_hours_median or 0)} over "
        f"{observed.incidents_resolved} resolved incidents ({observed.source})"
    )


def _clearly_over(value: float | None, limit: float) -> bool:
    return value is not None and value > limit * MARGIN


def _deployment_recovery(observed: Observed) -> Observed:
    """A rollback undoes deployments: where enough incidents are linked to one, compare with those alone."""
    if observed.linked_resolved < MIN_INCIDENTS:
        return observed
    return replace(
        observed,
        source=f"incidents linked to a deployment, {observed.source}",
        recovery_hours_median=observed.linked_recovery_hours,
        incidents_resolved=observed.linked_resolved,
    )


def rollback_vs_recovery(answers: Answers, questions: Questions, observed: Observed) -> Finding | None:
    claim = _claim(answers, questions, "rb_last_rollback_minutes", FAST_ROLLBACK_MINUTES, "rb_rollback_path")
    observed = _deployment_recovery(observed)
    slow = _clearly_over(observed.recovery_hours_median, SLOW_RECOVERY_HOURS)
    if claim is None or not slow or not observed.enough_incidents():
        return None
    return Finding(
        "rollback_vs_recovery",
        "Claimed rollback speed against recovery time",
        claim,
        _recovery(observed),
        "If bad deployments came back in minutes, half the incidents would not last this long: "
        "either rollback is slower in practice, or incidents are not being rolled back.",
    )


def diagnosis_vs_recovery(answers: Answers, questions: Questions, observed: Observed) -> Finding | None:
    claim = _diagnosis_claim(answers, questions)
    slow = _clearly_over(observed.recovery_hours_median, SLOW_RECOVERY_FOR_DIAGNOSIS_HOURS)
    if claim is None or not slow or not observed.enough_incidents():
        return None
    return Finding(
        "diagnosis_vs_recovery",
        "Claimed diagnosis time against recovery time",
        claim,
        _recovery(observed),
        "Naming the failing service within minutes rarely goes with recoveries that take hours; "
        "check the incident timelines for when the cause was actually known.",
    )


def _diagnosis_claim(answers: Answers, questions: Questions) -> str | None:
    """Bank 2 asks for the slowest of the last three incidents, bank 1 for the last one."""
    for key in ("io_diagnosis_minutes_worst", "io_root_cause_minutes"):
        if key in questions:
            return _claim(answers, questions, key, FAST_DIAGNOSIS_MINUTES, "io_root_cause_path")
    return None


def postmortems_vs_incidents(answers: Answers, questions: Questions, observed: Observed) -> Finding | None:
    written = _number(answers, "pm_postmortems_written")
    claim = None
    if written is not None and written >= 3 and "pm_postmortems_written" in questions:
        claim = _quote(questions["pm_postmortems_written"], answers["pm_postmortems_written"])
    claim = claim or _claim(answers, questions, "", 0, "pm_last_three_incidents")
    if claim is None or (observed.incidents or 0) < MANY_INCIDENTS * MARGIN:
        return None
    return Finding(
        "postmortems_vs_incidents",
        "Claimed postmortem coverage against the number of incidents",
        claim,
        f"{observed.incidents} incidents ({observed.source})",
        "A blameless postmortem with completed actions for every incident means that many reviews; "
        "check the record for the incidents that have none.",
    )


def automation_vs_delivery(answers: Answers, questions: Questions, observed: Observed) -> Finding | None:
    claim = _claim(answers, questions, "", 0, "rb_deployment_pipeline")
    facts = []
    if observed.deployments_per_week is not None and observed.deployments_per_week * MARGIN < RARE_DEPLOYS_PER_WEEK:
        facts.append(f"{observed.deployments_per_week:.1f} deployments per week")
    if observed.change_failure_rate_pct is not None and observed.change_failure_rate_pct >= HIGH_FAILURE_PCT * MARGIN:
        facts.append(f"change failure rate {observed.change_failure_rate_pct:.0f} %")
    if claim is None or not facts:
        return None
    return Finding(
        "automation_vs_delivery",
        "Claimed deployment automation against deployment data",
        claim,
        f"{' and '.join(facts)} ({observed.source})",
        "A fully automated pipeline usually shows as frequent deployments that rarely fail; "
        "look for manual steps or missing tests the answer does not mention.",
    )


RULES: tuple[Callable[[Answers, Questions, Observed], Finding | None], ...] = (
    rollback_vs_recovery,
    diagnosis_vs_recovery,
    postmortems_vs_incidents,
    automation_vs_delivery,
)


def check(answers: Answers, questions: Questions, observed: Observed | None) -> list[Finding]:
    """Every rule's finding for these answers and figures."""
    if observed is None:
        return []
    return [f for rule in RULES if (f := rule(answers, questions, observed)) is not None]


CHECK_TITLES = {
    "rollback_vs_recovery": "Rollback speed against recovery time",
    "diagnosis_vs_recovery": "Diagnosis time against recovery time",
    "postmortems_vs_incidents": "Postmortem coverage against the number of incidents",
    "automation_vs_delivery": "Deployment automation against deployment data",
}


def outcomes(answers: Answers, questions: Questions, observed: Observed | None) -> list[Outcome]:
    """What each check concluded, so the report never says "agrees" about a check it could not make."""
    if observed is None:
        return []
    found = {f.rule: f for f in check(answers, questions, observed)}
    return [_outcome(rule, found.get(rule), answers, questions, observed) for rule in CHECK_TITLES]


def _outcome(rule: str, finding: Finding | None, answers: Answers, questions: Questions, observed: Observed) -> Outcome:
    title = CHECK_TITLES[rule]
    if finding is not None:
        return Outcome(rule, title, "contradiction", f"{finding.answer_quote}, against {finding.data_quote}.")
    if rule == "postmortems_vs_incidents" and observed.incidents and _postmortems_unknown(answers, questions):
        return Outcome(
            rule,
            title,
            "question",
            f"The data shows {observed.incidents} incidents ({observed.source}), and the answers do not say how "
            "many have postmortems: which of them do?",
        )
    unclaimed = _unclaimed(rule, answers, questions)
    if unclaimed is not None:
        return Outcome(rule, title, "no_claim", f"Nothing to check: the answers give no {unclaimed}.")
    missing = _missing(rule, observed)
    if missing is not None:
        return Outcome(rule, title, "not_enough_data", f"Not enough data to check: {missing}")
    return Outcome(rule, title, "consistent", "Checked: the answers and the data fit together.")


# The answers each check reads, and what they are called when none of them was given.
CLAIMS = {
    "rollback_vs_recovery": (("rb_last_rollback_minutes", "rb_rollback_path"), "rollback time or rollback path"),
    "diagnosis_vs_recovery": (
        ("io_diagnosis_minutes_worst", "io_root_cause_minutes", "io_root_cause_path"),
        "diagnosis time or root-cause path",
    ),
    "postmortems_vs_incidents": (("pm_postmortems_written", "pm_last_three_incidents"), "postmortem coverage"),
    "automation_vs_delivery": (("rb_deployment_pipeline",), "deployment pipeline level"),
}


def _unclaimed(rule: str, answers: Answers, questions: Questions) -> str | None:
    """What the answers leave out when they give this check nothing to hold against the data, else None.

    A check whose every answer is unanswered, "don't know" or not applicable has made no
    claim: saying the answers and the data "fit together" would report agreement with nothing.
    """
    keys, name = CLAIMS[rule]
    asked = [k for k in keys if k in questions]
    given = [k for k in asked if (a := answers.get(k)) is not None and a.status is AnswerStatus.ANSWERED]
    return name if not given else None


def _missing(rule: str, observed: Observed) -> str | None:
    """Why the data cannot make this check (typed figures carry no counts), or None when it can."""
    typed = observed.incidents_resolved is None  # imported data always counts, typed figures never do
    if rule in ("rollback_vs_recovery", "diagnosis_vs_recovery"):
        if observed.recovery_hours_median is None:
            return "no time to restore was typed." if typed else "no resolved incidents."
        if not observed.enough_incidents():
            return f"{observed.incidents_resolved} resolved incidents in the window; the check needs {MIN_INCIDENTS}."
    if rule == "postmortems_vs_incidents" and observed.incidents is None:
        return "typed figures give no number of incidents."
    if (
        rule == "automation_vs_delivery"
        and observed.deployments_per_week is None
        and observed.change_failure_rate_pct is None
    ):
        return "no deployment frequency or change failure rate."
    return None


def _postmortems_unknown(answers: Answers, questions: Questions) -> bool:
    keys = [k for k in ("pm_postmortems_written", "pm_last_three_incidents") if k in questions]
    return bool(keys) and all(answers.get(k) is None or answers[k].status is AnswerStatus.DONT_KNOW for k in keys)


def compute_findings(session: Session, *, assessment_id: int) -> list[Finding]:
    data = load_assessment(session, assessment_id=assessment_id)
    return check(data.answers, data.bank.questions_by_key(), observed_for_team(session, team_id=data.team_id))


def store_findings(session: Session, *, assessment_id: int, findings: list[Finding]) -> None:
    """Replace the assessment's stored findings."""
    session.execute(sa.delete(DoraFinding).where(col(DoraFinding.assessment_id) == assessment_id))
    for f in findings:
        session.add(
            DoraFinding(
                assessment_id=assessment_id,
                rule=f.rule,
                foundation=f.foundation,
                title=f.title,
                answer_quote=f.answer_quote,
                data_quote=f.data_quote,
                explanation=f.explanation,
            )
        )
    session.flush()
    refresh_scores(session, assessment_id=assessment_id)  # a contradiction can move a deciding test


def stored_findings(session: Session, *, assessment_id: int) -> list[Finding]:
    rows = session.exec(
        select(DoraFinding).where(DoraFinding.assessment_id == assessment_id).order_by(col(DoraFinding.id))
    )
    return [Finding(r.rule, r.title, r.answer_quote, r.data_quote, r.explanation) for r in rows]


def findings_for(session: Session, *, assessment_id: int) -> list[Finding]:
    """The current findings of an assessment, stored again when they changed (needs a write session)."""
    findings = compute_findings(session, assessment_id=assessment_id)
    if findings != stored_findings(session, assessment_id=assessment_id):
        store_findings(session, assessment_id=assessment_id, findings=findings)
    return findings


def refresh_team_findings(session: Session, team_ids: tuple[int, ...]) -> None:
    """After an import: recompute the findings of every assessment of these teams."""
    ids = session.exec(select(Assessment.id).where(col(Assessment.team_id).in_(list(team_ids)))).all()
    for assessment_id in ids:
        findings_for(session, assessment_id=int(assessment_id or 0))
