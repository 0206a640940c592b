"""Pages never load the PDF or SVG machinery: chart builders are plain Altair, the SVG conversion lives apart."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from sqlalchemy.engine import Engine

from tests.support.app import APP
from tests.support.builders import demo_round


def test_pages_do_not_import_weasyprint_or_the_chart_converter(demo_app_engine: Engine) -> None:
    """Run every page in a fresh interpreter: no page may pay for PDF or SVG machinery it does not use."""
    script = textwrap.dedent(f"""
        import sys
        from streamlit.testing.v1 import AppTest
        for page in ("ui/pages/start.py", "ui/pages/assess.py", "ui/pages/results.py", "ui/pages/portfolio.py"):
            at = AppTest.from_file({str(APP)!r}, default_timeout=60)
            at.query_params["assessment"] = "{demo_round(demo_app_engine, "Checkout")}"
            at.switch_page(page).run()
            assert not at.exception, page
        print(sorted(m for m in ("weasyprint", "vl_convert") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
