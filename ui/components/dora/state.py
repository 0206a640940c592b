"""What a DORA tab remembers: the typed figures form, the import options, and the messages callbacks leave."""

from __future__ import annotations

from typing import Any

from ui.state import Slot, SlotFamily

TYPED_RANGE = SlotFamily[str | None]("dora_typed_{}_range", None)  # per metric: a range label, or "exact"
TYPED_NUMBER = SlotFamily[float | None]("dora_typed_{}_number", None)  # per metric: the exact number
TYPED_NOTICE = Slot[str | None]("dora_notice", None)  # what saving the typed figures did
MAPPING_NAME = Slot[str]("dora_mapping_name", "")  # "Save this mapping as"
IMPORT_NOTICE = Slot[str | None]("dora_import_notice", None)  # what saving the mapping did
TIME_ZONE = Slot[str | None]("dora_tz", None)  # for times written without an offset
SKIP_INVALID = Slot[bool]("dora_skip", False)
LOOKBACK_HOURS = Slot[float | None]("dora_lookback_hours", None)  # the look-back form's number
REPLACE = Slot[bool]("dora_replace", False)  # a re-import replaces stored rows, empty values included
CHECKED = Slot[Any]("dora_checked", None)  # the checked import waiting for its confirmation (importing.Checked)
