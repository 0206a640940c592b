"""JSON-ready shapes of domain results, shared by the CLI and the exports."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from assessment.assessments.repository import AssessmentData
from assessment.scoring.engine import AssessmentScore


def score_to_data(data: AssessmentData, score: AssessmentScore) -> dict[str, Any]:
    """Scores, levels, risks and verdicts of one assessment as plain data."""
    return {
        "assessment": {
            "id": data.id,
            "organisation": data.organisation,
            "team": data.team,
            "round_number": data.round_number,
            "status": data.status,
            "bank": {"id": data.bank.id, "version": data.bank.version},
        },
        "overall_score": score.overall_score,
        "answered": score.answered,
        "total": score.total,
        "foundations": [
            {
                **asdict(f),
                "proven_on": f.proven_on.isoformat() if f.proven_on else None,
                "level_name": f.level_name,
                "gate_capped": f.gate_capped,
                "unproven": f.unproven,
            }
            for f in score.foundations.values()
        ],
        "questions": [asdict(q) for q in score.questions.values()],
        "risks": [asdict(r) for r in score.risks],
        "exposures": list(score.exposures),
        "verdicts": [
            {**asdict(v), "headline": v.headline, "bullets": v.bullets, "sentence": v.sentence} for v in score.verdicts
        ],
    }
