"""The mapping step's presets: a tool's export is recognised by its headers (or the preset chosen), and the
preset's mapping becomes the proposal the user confirms; a service is asked for when the export names none.

Widgets of a preset's proposal get their own keys, so switching between a preset and the
proposal from the headers starts each from its own choices.
"""

from __future__ import annotations

import streamlit as st

from assessment.dora import service
from assessment.dora.service import FORMATS, PRESETS, SERVICE_KEY, Kind, KindMapping, Mapping
from ui.text import plain

PRESET_CHOICES = {f"Preset: {p.title}": name for name, p in PRESETS.items()}
_SETTINGS = {
    "success_statuses": "statuses counted as deployed:",
    "production_environments": "environments counted as production:",
    "resolved_after_ms": "resolved at the start plus the milliseconds in",
}


def proposal_for(kind: Kind, headers: list[str], choice: str, saved: dict[str, Mapping]) -> tuple[KindMapping, str]:
    """The mapping to start from and the preset it came from ("" for a saved mapping or the headers' proposal)."""
    if choice in saved:
        return saved[choice].get(kind, {}), ""
    name = PRESET_CHOICES.get(choice) or service.detect_preset(kind, headers) or ""
    if name and kind in PRESETS[name].columns:
        return service.preset_mapping(name)[kind], name
    return service.propose_mapping(kind, headers), ""


def describe(kind: Kind, preset: str, chosen: bool, proposal: KindMapping) -> None:
    """Which preset applies to this file, why, and what its settings do, in one line."""
    if not preset:
        return
    how = "chosen above" if chosen else "recognised from the file's columns"
    settings = [f"{label} {proposal[key]}" for key, label in _SETTINGS.items() if proposal.get(key)]
    if kind in (Kind.DEPLOYMENTS, Kind.INCIDENTS) and "service" not in proposal:
        settings.append("the export names no service: give it in 'Service of every row'")
    said = f"Preset: {PRESETS[preset].title}, {how}. " + "".join(f"{s[0].upper()}{s[1:]}. " for s in settings)
    st.caption(plain(f"{said}Check each column below."))


def with_settings(kind: Kind, proposal: KindMapping, chosen: KindMapping) -> KindMapping:
    """The columns the user confirmed, with the proposal's settings (which the column widgets do not show)."""
    columns = {c.name for c in FORMATS[kind]}
    return {**{k: v for k, v in proposal.items() if k not in columns}, **chosen}


def service_step(file_kind: Kind, source: str, mapping: KindMapping) -> KindMapping:
    """For deployments or incidents with no service column: the service every row belongs to."""
    if file_kind not in (Kind.DEPLOYMENTS, Kind.INCIDENTS) or mapping.get("service"):
        return mapping
    given = st.columns(3)[0].text_input(
        "Service of every row",
        key=f"dora_service_{file_kind.value}",
        placeholder="the service (or repository) this export came from",
        help=plain(f"{source} names no service: every row gets this one (the CLI's --service)."),
    )
    return {**mapping, SERVICE_KEY: given.strip()} if given and given.strip() else mapping
