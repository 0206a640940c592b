"""One assessment judged with everything known about its team: answers, contradictions, delivery data.

The Results page, the Report page, `foundations score|roadmap|report` and the PDF all
judge through `judge`, so a contradiction or a deployment pace that moves a verdict
moves it everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from assessment.assessments.repository import AssessmentData
from assessment.dora.team import TeamDora, team_dora
from assessment.roadmap.evidence import Evidence
from assessment.roadmap.plan import Roadmap, build_roadmap
from assessment.scoring.engine import AssessmentScore, score_assessment
from assessment.scoring.gates import Facts


@dataclass(frozen=True)
class Judgement:
    score: AssessmentScore
    roadmap: Roadmap
    dora: TeamDora | None
    facts: Facts
    evidence: Evidence


def judge(session: Session, data: AssessmentData, *, as_of: date | None = None) -> Judgement:
    """Score and plan one assessment with its team's DORA data (imported, else typed, else none)."""
    dora = team_dora(session, data)
    facts = dora.facts(as_of) if dora is not None else Facts(as_of=as_of)
    evidence = dora.evidence if dora is not None else Evidence()
    score = score_assessment(data.bank, data.answers, facts)
    roadmap = build_roadmap(data.bank, data.answers, score=score, evidence=evidence, facts=facts)
    return Judgement(score, roadmap, dora, facts, evidence)
