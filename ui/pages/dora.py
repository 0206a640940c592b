"""DORA: the team's four keys from imported files or typed figures, with bands, charts and data quality."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from assessment.access.policy import Action, may
from assessment.assessments.repository import assessment_team
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.core.numbers import number_text
from assessment.dora import service
from assessment.dora.service import (
    DEFAULT_MAX_BYTES,
    DoraImportError,
    DroppedRow,
    FileInput,
    Kind,
    Mapping,
)
from reports.charts.dora import deployments_per_week_chart, lead_time_chart, recovery_chart
from ui import auth, current, database, state, widgets
from ui.components.dora import importing, presets, separators
from ui.components.dora import widgets as dora_widgets
from ui.components.dora.state import (
    IMPORT_NOTICE,
    LOOKBACK_HOURS,
    MAPPING_NAME,
    SKIP_INVALID,
    TIME_ZONE,
    TYPED_NOTICE,
)
from ui.text import plain, sentence

PROPOSE = "(propose from the headers)"
MAX_MB = DEFAULT_MAX_BYTES / 1024 / 1024

engine = database.engine()
state.follow_pending_page()
data = current.require_assessment(engine)
with db.read_session(engine) as session:
    team = assessment_team(session, assessment_id=data.id)
    organisation_id = team.organisation_id if team else 0
    latest = service.latest_event(session, team_id=data.team_id)
    typed = service.typed_figures(session, team_id=data.team_id)
    saved = service.saved_mappings(session, organisation_id=organisation_id)
    lookback = service.organisation_lookback(session, organisation_id=organisation_id)
    may_import = may(session, auth.actor(), Action.IMPORT_DORA, organisation_id)


def window_picker() -> tuple[date, date]:
    default = service.window_for(None, None, latest_s=latest)
    left, right = st.columns(2)
    since = left.date_input("From", value=default.since.date(), key="dora_since")
    until = right.date_input("To (included)", value=(default.until - timedelta(days=1)).date(), key="dora_until")
    return since, until


def imported_figures() -> None:
    if latest is None and typed is not None:  # typed figures stand in: not an empty page to fill
        st.caption("No files imported: the typed figures below are the team's figures until data is imported.")
        return
    if latest is None:
        st.info(
            "No deployments or incidents imported yet: use the Import tab, or type the four figures.",
            icon=":material/upload_file:",
        )
        return
    try:
        window = service.window_for(*window_picker(), latest_s=latest)
    except FoundationsError as exc:
        st.error(sentence(str(exc)))
        return
    with db.read_session(engine) as session:
        summary = service.team_summary(session, team_id=data.team_id, window=window)
        trends = service.team_trends(session, team_id=data.team_id, window=window)
    st.metric("Nearest DORA 2024 cluster, over all four keys", plain(summary.cluster or "no data"))
    st.caption(plain(f"Change failure rate, and with it the cluster: {summary.cluster_text}."))
    dora_widgets.figures_table(summary.figures)
    dora_widgets.definitions(summary.figures, summary.window, summary.edition)
    st.altair_chart(deployments_per_week_chart(trends), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(lead_time_chart(trends), width="stretch")
    right.altair_chart(recovery_chart(trends), width="stretch")
    quality(summary.metrics.quality.counts(), summary.metrics.quality.rows)


def save_lookback() -> None:
    """Form callback: the organisation's look-back, checked and stored by the domain (role included)."""
    hours = float(LOOKBACK_HOURS.get() or 0)
    try:
        with db.write_session(engine) as session:
            service.set_organisation_lookback(session, organisation_id=organisation_id, hours=hours)
    except FoundationsError as exc:
        state.set_notice("error", f"Look-back not saved: {sentence(str(exc))}")
        return
    state.set_notice("success", f"Attribution look-back set to {hours:g} hours for the whole organisation.")


def lookback_setting() -> None:
    """How long before an incident a deployment may be blamed for it: one value per organisation."""
    with st.expander(f"Attribution look-back: {lookback:g} hours (for the whole organisation)"):
        st.caption(
            "An incident without a deployment or change id is attributed to the latest deployment of the same "
            "service at most this long before it started. It moves the change failure rate, so the metrics, "
            "the roadmap and the report all use this one value and say which."
        )
        with st.form("dora_lookback"):
            st.number_input(
                "Hours", min_value=0.5, max_value=720.0, value=float(lookback), step=1.0, key=LOOKBACK_HOURS.key
            )
            st.form_submit_button("Save look-back", on_click=save_lookback)


def quality(counts: dict[str, int], rows: tuple[DroppedRow, ...]) -> None:
    st.subheader("Data quality", anchor=False)
    if not counts:
        st.caption("Every row in the window was used.")
        return
    st.dataframe(pd.DataFrame({"Left out": list(counts), "Rows": list(counts.values())}), hide_index=True)
    st.download_button(
        "Download every left-out row (CSV)",
        service.left_out_csv(rows),
        "dora-left-out.csv",
        key="dora_download_left_out",
        disabled=not rows,
    )


def typed_section() -> None:
    if typed is None:
        return
    st.subheader("Typed figures", anchor=False)
    st.caption(f"Nearest cluster over the typed figures: {plain(typed.cluster or 'none given')}")
    dora_widgets.figures_table(typed.figures)


def save_typed() -> None:
    """Form callback: store the four typed figures as the team's current ones."""
    try:
        values = {metric: dora_widgets.typed_input_value(metric) for metric in dora_widgets.UNITS}
        with db.write_session(engine) as session:
            service.save_typed_figures(session, team_id=data.team_id, by=auth.author(), values=values)
        TYPED_NOTICE.set("Typed figures saved.")
    except FoundationsError as exc:
        TYPED_NOTICE.set(f"Not saved: {sentence(str(exc))}")


def typed_form() -> None:
    current_values = typed.values if typed is not None else {}
    with st.form("dora_typed_form"):
        for metric, title in dora_widgets.TITLES.items():
            dora_widgets.typed_input(metric, title, current_values.get(metric))
        st.form_submit_button("Save figures", on_click=save_typed, type="primary")
    notice = TYPED_NOTICE.pop()
    if notice:
        st.info(notice)  # escaped: the notices hold Markdown made with plain and sentence


def uploads() -> dict[Kind, FileInput]:
    files = {}
    for kind in Kind:
        upload = st.file_uploader(
            f"{plain(kind.value.capitalize())} (CSV or JSON, up to {plain(number_text(MAX_MB))} MB)",
            type=["csv", "json"],
            key=f"dora_upload_{kind.value}",
        )
        if upload is not None:
            files[kind] = FileInput(kind, upload.name, upload.getvalue())
    return files


def mapping_step(files: dict[Kind, FileInput]) -> Mapping:
    choice = st.selectbox(
        "Column mapping",
        [PROPOSE, *presets.PRESET_CHOICES, *saved],
        key="dora_saved_choice",
        help="A tool's export (GitHub, GitLab, PagerDuty, Opsgenie) is recognised by its columns; "
        "choose its preset here when it is not.",
    )
    mapping: Mapping = {}
    for kind, file in files.items():
        try:
            headers = service.file_headers(file)
        except DoraImportError as exc:
            st.error("  \n".join(plain(line) for line in exc.lines()))
            continue
        st.text(f"{file.source}: which column holds what?")
        proposal, preset = presets.proposal_for(kind, headers, choice, saved)
        presets.describe(kind, preset, choice in presets.PRESET_CHOICES, proposal)
        chosen = dora_widgets.mapping_step(kind, headers, proposal, variant=preset)
        chosen = presets.service_step(kind, file.source, presets.with_settings(kind, proposal, chosen))
        mapping[kind] = separators.separator_step(file, chosen)
        separators.show_warnings(file, mapping[kind], TIME_ZONE.get())
    return mapping


def save_named_mapping(mapping: Mapping) -> None:
    name = MAPPING_NAME.get()
    try:
        with db.write_session(engine) as session:
            service.save_mapping(session, organisation_id=organisation_id, name=name, mapping=mapping)
        IMPORT_NOTICE.set(f"Mapping saved as \u201c{plain(str(name or '').strip())}\u201d.")
    except FoundationsError as exc:
        IMPORT_NOTICE.set(f"Mapping not saved: {sentence(str(exc))}")


def import_tab() -> None:
    if not may_import:  # asked first: a viewer's upload is never read
        st.info("Your role in this organisation shows the DORA figures but does not import data.")
        return
    files = uploads()
    if not files:
        st.caption(
            "Upload deployments, changes and incidents in the canonical format (docs/DORA.md), "
            "or an export with other column names: the next step maps them."
        )
        return
    mapping = mapping_step(files)
    st.text_input(
        "Time zone of times written without an offset",
        key=TIME_ZONE.key,
        placeholder="for example Europe/Amsterdam (leave empty when every time has an offset)",
    )
    st.checkbox("Skip invalid rows (they are listed; the rest is imported)", key=SKIP_INVALID.key)
    importing.mode_choice()
    left, right = st.columns(2)
    left.text_input("Save this mapping as", key=MAPPING_NAME.key)
    left.button("Save mapping", key="dora_save_mapping", on_click=save_named_mapping, args=(mapping,))
    right.download_button(
        "Download the mapping file (for the CLI's --mapping)",
        service.mapping_text(mapping),
        "dora-mapping.json",
        key="dora_download_mapping",
    )
    notice = IMPORT_NOTICE.pop()
    if notice:
        st.info(notice)  # escaped: the notices hold Markdown made with plain and sentence
    importing.import_step(
        engine, organisation_id=organisation_id, team_id=data.team_id, files=list(files.values()), mapping=mapping
    )


widgets.assessment_header(data, "DORA")
widgets.show_notice()
figures_tab, import_view, typed_view = st.tabs(["Figures", "Import files", "Type the figures"])
with figures_tab:
    lookback_setting()
    imported_figures()
    typed_section()
    dora_widgets.render_findings(engine, data.id)
with import_view:
    import_tab()
with typed_view:
    typed_form()
