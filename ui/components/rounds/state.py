"""What a Rounds tab remembers: the team chosen, the next round's options, the answers to confirm, the pair compared."""

from __future__ import annotations

from ui.state import Slot

ORG = Slot[int | None]("rounds_org", None)
TEAM = Slot[int | None]("rounds_team", None)
PREFILL = Slot[bool]("rounds_prefill", False)  # start the next round from the last one's answers
LABEL = Slot[str | None]("rounds_label", None)  # the next round's optional name
BANK = Slot[int]("rounds_bank", 0)  # the next round's bank: a published version's id, or widgets.SHIPPED_BANK
CONFIRM = Slot[list[str] | None]("rounds_confirm_keys", None)  # carried-over answers picked to confirm
BEFORE = Slot[int | None]("rounds_before", None)  # the two rounds compared
AFTER = Slot[int | None]("rounds_after", None)
