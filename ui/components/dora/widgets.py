"""DORA render helpers: findings (also on the results page), figures, the mapping step, the typed form.

Every value from a user's file or answer is shown as plain text (captions, tables,
widget labels), never as markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from assessment.core.errors import FoundationsError
from assessment.dora import service
from assessment.dora.service import FORMATS, METRICS, RANGES, Figure, Finding, Kind, KindMapping, Problem, Typed
from ui.components.dora.state import TYPED_NUMBER, TYPED_RANGE
from ui.text import plain

NOT_IN_FILE = "(not in the file)"
EXACT = "an exact number"
TITLES = {key: spec.title for key, spec in METRICS.items()}
UNITS = {
    "deployment_frequency": "deployments per week",
    "lead_time": "hours",
    "change_failure_rate": "%",
    "recovery_time": "hours",
}


def render_findings(engine: Engine, assessment_id: int) -> list[Finding]:
    """The answer-versus-data contradictions of an assessment, each with both sides quoted."""
    findings = service.assessment_findings(engine, assessment_id=assessment_id)  # stored when they changed
    st.subheader("Answers against DORA data", anchor=False)
    if not findings:
        st.caption(
            ":material/check: No contradiction between the answers and the team's DORA data "
            "(or no DORA data yet: import it on the DORA page)."
        )
        return findings
    for finding in findings:
        with st.container(border=True):
            st.text(f"⚠ {finding.title}")
            st.caption("The answer says")
            st.text(finding.answer_quote)
            st.caption("The data says")
            st.text(finding.data_quote)
            st.caption(plain(finding.explanation))
    return findings


def figures_table(figures: tuple[Figure, ...]) -> None:
    """The four figures; a sample's detail after "; " goes under the table, where it is never cut off."""
    samples = {f.title: f.sample.partition("; ") for f in figures}
    rows = [
        {
            "Metric": f.title,
            "Value": f.text,
            "DORA 2024 band": f.band.label if f.band else "no data",
            "Elite": f.elite,
            "Based on": samples[f.title][0],
        }
        for f in figures
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    for title, (_, _, detail) in samples.items():
        if detail:
            st.caption(f"{plain(title)}: {plain(detail)}.")


def problems_table(problems: list[Problem] | tuple[Problem, ...]) -> pd.DataFrame:
    """Import problems as a table: the file's own header and the column it reads as; an empty cell, never "None"."""
    return pd.DataFrame(
        [
            {
                "File": p.source,
                "Line": "" if p.line is None else f"{'record ' if p.record else ''}{p.line}",
                "Column": p.header or p.column or "",
                "Reads as": p.column if p.column and p.column != (p.header or p.column) else "",
                "Value": p.value or "",
                "Problem": p.message,
            }
            for p in problems
        ],
        columns=["File", "Line", "Column", "Reads as", "Value", "Problem"],
    )


def definitions(figures: tuple[Figure, ...], window: str, edition: str) -> None:
    with st.expander("Definitions and window"):
        st.text(f"Window: {window}. Benchmarks: {edition}.")
        for f in figures:
            st.text(f"{f.title}: {f.definition}")


def mapping_step(kind: Kind, headers: list[str], proposal: KindMapping, variant: str = "") -> KindMapping:
    """One selectbox per canonical column, preset to the proposal; returns what the user confirmed.

    `variant` (a preset's name) gives the widgets their own keys, so each proposal starts from its own choices."""
    options = [NOT_IN_FILE, *headers]
    chosen: KindMapping = {}
    columns = st.columns(3)
    for n, column in enumerate(FORMATS[kind]):
        guess = service.matching_header(proposal.get(column.name) or "", headers)
        label = f"{column.name}{' (required)' if column.required else ''}"
        picked = columns[n % 3].selectbox(
            plain(label),
            options,
            index=options.index(guess) if guess in options else 0,
            key=f"dora_map_{kind.value}_{column.name}{f'_{variant}' if variant else ''}",
            help=plain(column.help),
        )
        if picked != NOT_IN_FILE:
            chosen[column.name] = picked
    return chosen


def _labels(metric: str) -> dict[str, str]:
    return {label: key for key, (label, _) in RANGES[metric].items()}


def typed_input(metric: str, title: str, current: Typed | None) -> None:
    """A range (Quick Check style) or an exact number for one metric; read back by typed_input_value."""
    options = ["not given", *_labels(metric), EXACT]
    index = 0
    if current is not None and current.range:
        index = options.index(RANGES[metric][current.range][0])
    elif current is not None and current.number is not None:
        index = len(options) - 1
    st.selectbox(plain(title), options, index=index, key=TYPED_RANGE(metric).key)
    st.number_input(
        f"{plain(title)}: the exact number, if chosen ({plain(UNITS[metric])})",
        min_value=0.0,
        value=float(current.number) if current and current.number is not None else None,  # empty until typed
        placeholder="only with 'an exact number'",
        key=TYPED_NUMBER(metric).key,
    )


def typed_input_value(metric: str) -> Typed:
    """What the form holds for one metric (call from the form's submit callback)."""
    picked = TYPED_RANGE(metric).get()
    if picked == EXACT:
        number = TYPED_NUMBER(metric).get()
        if number is None:  # an empty field is not a measured 0
            raise FoundationsError(f"{TITLES[metric]}: type the exact number, or choose a range")
        return Typed(number=float(number))
    return Typed(range=_labels(metric).get(str(picked)))
