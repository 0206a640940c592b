"""What a Question banks tab remembers: the organisation, the uploaded file, the two banks compared."""

from __future__ import annotations

from ui.state import Slot

ORG = Slot[int | None]("banks_org", None)
UPLOAD = "banks_upload"  # the uploader's key: its value is the uploaded file, not ours to set
LEFT = Slot[int]("banks_left", -1)  # the two banks compared: a version's id, or widgets.SHIPPED_BANK; -1 while unset
RIGHT = Slot[int]("banks_right", -1)
