"""What the method adds to the team PDF, read back: verdicts, cross-checks, find-out items, the short report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.engine import Engine

from assessment.assessments.repository import create_assessment, load_assessment, save_answer, store_bank
from assessment.bank.answers import answered
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.numbers import plural
from assessment.demo import demo_answer
from assessment.dora.formats import Kind
from assessment.judgement import judge
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.roadmap.plan import Phase
from assessment.scoring.verdicts import Readiness
from reports.build import report_pdf
from tests.support.builders import demo_round
from tests.support.dora_data import import_rows
from tests.support.pdf import outline, page_text, read

DAY = date(2026, 1, 15)


def sections(engine: Engine, assessment_id: int, generated_on: date | None = DAY) -> tuple[dict[str, str], int]:
    """Each top-level section's text (title -> text up to the next section) and the page count."""
    reader = read(report_pdf(engine, assessment_id, generated_on=generated_on))
    top = [(title, page) for title, depth, page in outline(reader) if depth == 0]
    ends = [page for _, page in top[1:]] + [len(reader.pages)]
    return {title: page_text(reader, page, end + 1) for (title, page), end in zip(top, ends, strict=True)}, len(
        reader.pages
    )


def test_an_exposed_verdict_shows_its_label_headline_and_a_line_per_missing_foundation(
    module_demo_engine: Engine,
) -> None:
    assessment_id = demo_round(module_demo_engine, "Checkout")
    with db.read_session(module_demo_engine) as session:
        verdicts = judge(session, load_assessment(session, assessment_id=assessment_id), as_of=DAY).score.verdicts
    exposed = [v for v in verdicts if v.status is Readiness.EXPOSED]
    assert [v.end_state for v in exposed] == ["deployment_autonomy", "microservices"]
    summary = sections(module_demo_engine, assessment_id)[0]["Executive summary"]
    assert "and exposed on expanding deployment autonomy and microservices decomposition" in summary
    for v in verdicts:
        assert f"{v.label.upper()} · {v.title.upper()}" in summary
        assert v.headline in summary
        assert v.bullets
        assert len(v.bullets) == len(v.shortfalls)  # one line per missing foundation, nothing unanswered
        for bullet in v.bullets:
            assert bullet in summary
    autonomy = exposed[0]
    assert autonomy.headline.startswith("Exposed: you already release without a change board or a release team")
    assert autonomy.bullets[0].startswith("Deployment rollback speed: level 1, needs 3; its deciding test fails")
    start = summary.index("EXPOSED · EXPANDING DEPLOYMENT AUTONOMY")
    assert summary.index(autonomy.bullets[-1], start) < summary.index("EXPOSED · MICROSERVICES", start)


def shop_round(engine: Engine, bank: Bank) -> int:
    """A round whose every measured answer passes: rollback in minutes, diagnosis within 15 minutes."""
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Shop")
        stored = store_bank(session, bank=bank)
        round_id = (
            create_assessment(session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by="test").id or 0
        )
        answers = {q.key: demo_answer(q, 4) for q in bank.scored_questions()}
        answers |= {"ctx_deploys_per_week": answered(3), "ctx_approval": answered("change_board")}
        for key, value in answers.items():
            save_answer(session, assessment_id=round_id, question_key=key, answer=value, by="test")
    return round_id


def at(day: int, hour: int) -> str:
    return (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=day, hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_two_resolved_incidents_are_not_enough_to_check_and_never_agree(engine: Engine, bank: Bank) -> None:
    """Restores of 10 hours would contradict a 5-minute rollback, but 2 incidents say too little: the report says so."""
    round_id = shop_round(engine, bank)
    deployments = [{"id": f"d{n}", "service": "shop", "deployed_at": at(n // 2, 9 + 4 * (n % 2))} for n in range(60)]
    incidents = [{"id": f"i{n}", "service": "shop", "started_at": at(n, 11), "resolved_at": at(n, 21)} for n in (2, 5)]
    import_rows(engine, {Kind.DEPLOYMENTS: deployments, Kind.INCIDENTS: incidents}, team="Shop", organisation="Acme")
    with db.read_session(engine) as session:
        judged = judge(session, load_assessment(session, assessment_id=round_id), as_of=DAY)
    assert judged.dora is not None
    assert {o.rule: o.status for o in judged.dora.outcomes}["rollback_vs_recovery"] == "not_enough_data"
    assert judged.score.foundations["rollback_speed"].gate.value == "passed"  # not contested on 2 incidents
    text = sections(engine, round_id)[0]["Answers against data"]
    not_enough = "Not enough data to check: 2 resolved incidents in the window; the check needs 3."
    assert f"Rollback speed against recovery time. {not_enough}" in text
    assert f"Diagnosis time against recovery time. {not_enough}" in text
    assert "No contradictions found. Some checks could not be made; see below." in text
    assert "agree" not in text.lower()


def test_a_ready_teams_report_is_short_and_ends_with_keeping_it_proven(module_demo_engine: Engine) -> None:
    assessment_id = demo_round(module_demo_engine, "Platform", 2)
    with db.read_session(module_demo_engine) as session:
        judged = judge(session, load_assessment(session, assessment_id=assessment_id))
    assert all(v.ready for v in judged.score.verdicts)
    found, pages = sections(module_demo_engine, assessment_id, generated_on=None)
    assert pages <= 6
    assert list(found) == ["Executive summary", "Foundation scores", "Delivery performance (DORA)", "Keeping it proven"]
    upkeep = found["Keeping it proven"]
    for f in judged.score.foundations.values():
        assert f.proven_on is not None
        assert f"{f.title} {f.proven_on:%-d %B %Y}" in upkeep
    assert "READY · EXPANDING DEPLOYMENT AUTONOMY" in found["Executive summary"]
    assert "Keeping it proven" in found["Executive summary"]  # the summary points at the upkeep instead of actions


def test_the_roadmap_starts_with_find_out_items_sized_in_days(module_demo_engine: Engine) -> None:
    assessment_id = demo_round(module_demo_engine, "Catalogue")
    with db.read_session(module_demo_engine) as session:
        plan = judge(session, load_assessment(session, assessment_id=assessment_id), as_of=DAY).roadmap
    items = plan.items
    find_out = [i for i in items if i.kind == "discover"]
    assert [i.foundation for i in find_out] == ["incident_observability", "failure_isolation", "postmortem_practice"]
    assert [i.position for i in find_out] == [1, 2, 3]
    found = sections(module_demo_engine, assessment_id)[0]
    roadmap, summary = found["Roadmap"], found["Executive summary"]
    for i in find_out:
        assert i.effort.endswith(" days")
        assert f"{i.position} {i.title} {i.foundation_title} · effort {i.effort} find out" in roadmap
        assert f"{i.title} now find out" in summary  # the top three actions are the find-out items
    now = plan.phase(Phase.NOW)
    assert plan.weeks["now"] == sum(i.effort_weeks for i in now)  # a find-out item counts its days (5 a week)
    assert [i.effort_weeks for i in find_out] == [int(i.effort.split()[0]) / 5 for i in find_out]
    assert f"Now: the next 30 days · {plural(len(now), 'item')}, {plural(plan.weeks['now'], 'team-week')}" in roadmap


def test_the_appendix_lists_how_the_team_ships_today_unscored(module_demo_engine: Engine) -> None:
    appendix = sections(module_demo_engine, demo_round(module_demo_engine, "Checkout"))[0]["Appendix A: every answer"]
    assert "All 47 questions" in appendix
    assert "How you ship today" in appendix
    assert "Deployments per week 40 deployments a week Not scored" in appendix
    assert appendix.index("How you ship today") < appendix.index("Failure isolation")
