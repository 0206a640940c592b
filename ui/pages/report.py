"""Report: the ordered roadmap with its reasons, the end states, and the PDF report to download.

The PDF is made in a separate worker process (reports.worker) with a time limit, so
a slow report never holds up anyone else's page; this page only waits for it.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from assessment.access import policy as access
from assessment.access.policy import AccessDenied, Action, authorize
from assessment.assessments.comparison import RoundComparison, since_last_round
from assessment.assessments.repository import AssessmentData
from assessment.core import db
from assessment.dora.team import TeamDora, team_dora
from assessment.organisations.brand import Brand, team_brand
from reports.charts.plan import plan_chart
from reports.context import ReportContext, build_context
from reports.sections import PhaseBlock
from reports.worker import TIME_LIMIT_S, RenderFailed, shared_worker
from ui import current, database, state, widgets
from ui.state import Slot
from ui.text import plain, sentence, text_table

PDF = Slot[tuple[int, str, bytes] | None]("report_pdf", None)  # (assessment id, answers fingerprint, pdf) last made


def fingerprint(data: AssessmentData) -> str:
    """Changes whenever any answer changes, so a PDF made before an edit is not offered after it."""
    versions = sorted((key, meta[2]) for key, meta in data.answer_meta.items())
    return hashlib.sha256(repr(versions).encode()).hexdigest()[:16]


def phase_table(block: PhaseBlock) -> None:
    """A static table: every row shown and every reason wrapped, since the reasons are what a reader checks."""
    rows = [
        {
            "#": r.position,
            "Investment": r.title,
            "Foundation": r.foundation_title,
            "Effort": r.effort + (" (check)" if r.in_place else ""),
            "Why": r.reason,
            "Done when": r.exit_criterion,
            "After": ", ".join(r.prerequisites),
        }
        for r in block.items
    ]
    st.table(text_table(pd.DataFrame(rows)), hide_index=True, border="horizontal")


def roadmap(ctx: ReportContext) -> None:
    if not ctx.roadmap:
        st.success(
            "No investments are triggered: every answer meets the bar its question sets.",
            icon=":material/task_alt:",
        )
    for block in ctx.phases:
        if block.items:
            st.markdown(f"**{plain(block.label)}** · {len(block.items)} item(s), {block.weeks:g} team-week(s)")
            phase_table(block)
    if ctx.roadmap:
        st.altair_chart(plan_chart(ctx.roadmap, named=True), width="stretch")
    st.subheader("End states", anchor=False)
    verdicts = {v.key: v for v in ctx.verdicts}
    for e in ctx.end_states:
        place = "can be taken now" if e.ready else (f"possible once {e.after} is done" if e.after else "at the end")
        v = verdicts.get(e.key)
        label = v.label if v is not None else ("Ready" if e.ready else "Not ready")
        bullets = "\n".join(f"- {plain(b)}" for b in (v.bullets if v is not None else ()))
        body = f"**{plain(label)} · {plain(e.title)}** · {plain(place)}  \n{plain(e.reason)}" + (
            f"\n\n{bullets}" if bullets else ""
        )
        icon = ":material/check_circle:" if e.ready else ":material/block:"
        if e.ready:
            st.success(body, icon=icon)
        elif v is not None and v.status == "exposed":
            st.error(body, icon=icon)
        else:
            st.warning(body, icon=icon)


def wait_for_pdf(
    data: AssessmentData, since: RoundComparison | None, dora: TeamDora | None, brand: Brand | None
) -> bytes:
    """Queue the report with the app's warm worker and wait, showing how many reports are ahead of this one."""
    worker = shared_worker()
    worker.start()  # already running since the app started; this only matters if it was stopped
    job = worker.submit(data, TIME_LIMIT_S, since=since, team_dora=dora, brand=brand)
    place = st.empty()
    with st.spinner("Preparing the PDF report…", show_time=True):
        while not job.wait(0.5):
            ahead = worker.ahead(job)
            if ahead:
                place.info(
                    f"{ahead:d} report{'s' if ahead > 1 else ''} ahead of yours; yours is made as soon as "
                    f"{'they are' if ahead > 1 else 'it is'} done.",
                    icon=":material/hourglass_top:",
                )
            else:
                place.empty()
    place.empty()
    return job.result()


def pdf_section(ctx: ReportContext, data: AssessmentData, data_key: tuple[int, str], dora: TeamDora | None) -> None:
    st.subheader("PDF report", anchor=False)
    st.caption(
        "Cover, one-page summary, scores, DORA and cross-checks, this roadmap, findings per foundation "
        "and every answer. Making it takes a few seconds; your answers are not changed."
    )
    if st.button("Prepare the PDF", icon=":material/picture_as_pdf:", key="prepare_pdf", type="primary"):
        try:
            authorize(engine, None, Action.DOWNLOAD_REPORT, access.assessment(data.id))  # the role decides
            with db.read_session(engine) as session:
                since = since_last_round(session, assessment_id=data.id)
                brand = team_brand(session, team_id=data.team_id)
            pdf = wait_for_pdf(data, since, dora, brand)
        except AccessDenied as exc:
            st.error(sentence(str(exc)), icon=":material/block:")
            return
        except RenderFailed as exc:
            st.error(
                f"The PDF could not be made: {plain(str(exc))}. Your answers are unchanged; try again in a moment.",
                icon=":material/error:",
            )
            return
        PDF.set((*data_key, pdf))
    made = PDF.get()
    if made and tuple(made[:2]) == data_key:
        name = f"foundations-{ctx.team}-round-{ctx.round_number}".lower().replace(" ", "-")
        st.download_button(
            "Download the PDF",
            made[2],
            file_name=f"{name}.pdf",
            mime="application/pdf",
            icon=":material/download:",
            key="download_pdf",
            on_click="ignore",
        )


engine = database.engine()
state.follow_pending_page()
data = current.require_assessment(engine)
with db.read_session(engine) as session:
    stored_dora = team_dora(session, data)
context = build_context(data, team_dora=stored_dora)
widgets.assessment_header(data, "Report")
st.markdown(plain(context.headline))
pdf_section(context, data, (data.id, fingerprint(data)), stored_dora)
st.subheader("Roadmap", anchor=False)
st.caption(
    "Prerequisites first; find out what nobody knows before building; then the deciding tests of what you "
    "already do, then the other deciding tests, then the rest. Now starts within 30 days, next this quarter."
)
roadmap(context)
