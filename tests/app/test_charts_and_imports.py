"""Chart builders are plain Altair (reusable by the PDF); pages never load the PDF or SVG machinery."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from sqlalchemy.engine import Engine

from assessment.bank.loader import default_bank
from assessment.demo import DEMO_TEAMS, _round_answers
from assessment.scoring.engine import FoundationResult, score_assessment
from tests.app.conftest import demo_round
from tests.conftest import APP
from ui.charts import foundation_frame, foundation_scores_chart, level_bands


def checkout_results() -> list[FoundationResult]:
    bank = default_bank()
    team = next(t for t in DEMO_TEAMS if t.name == "Checkout")
    return list(score_assessment(bank, _round_answers(bank, team.name, team.rounds[0])).foundations.values())


def test_chart_has_one_bar_per_foundation_over_five_level_bands() -> None:
    results = checkout_results()
    frame = foundation_frame(results)
    assert list(frame["foundation"]) == [r.title for r in results]
    assert list(level_bands()["end"]) == [20, 40, 60, 80, 100]
    spec = foundation_scores_chart(results).to_dict()
    assert len(spec["layer"]) == 5
    assert spec["height"] == 46 * len(results)


def test_capped_foundations_say_why_in_their_label() -> None:
    results = checkout_results()
    labels = dict(zip(foundation_frame(results)["foundation"], foundation_frame(results)["label"], strict=True))
    for r in results:
        assert ("deciding test not passed" in labels[r.title]) == r.gate_capped


def test_chart_renders_to_svg_with_every_foundation_named() -> None:
    import vl_convert

    results = checkout_results()
    svg = vl_convert.vegalite_to_svg(json.dumps(foundation_scores_chart(results).properties(width=600).to_dict()))
    for r in results:
        assert r.title in svg


def test_pages_do_not_import_weasyprint_or_the_chart_converter(demo_engine: Engine) -> None:
    """Run every page in a fresh interpreter: no page may pay for PDF or SVG machinery it does not use."""
    script = textwrap.dedent(f"""
        import sys
        from streamlit.testing.v1 import AppTest
        for page in ("ui/pages/start.py", "ui/pages/assess.py", "ui/pages/results.py"):
            at = AppTest.from_file({str(APP)!r}, default_timeout=60)
            at.query_params["assessment"] = "{demo_round(demo_engine, "Checkout")}"
            at.switch_page(page).run()
            assert not at.exception, page
        print(sorted(m for m in ("weasyprint", "vl_convert") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
