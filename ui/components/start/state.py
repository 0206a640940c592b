"""What a Start tab remembers: the organisation and team chosen, and the names typed for new ones."""

from __future__ import annotations

from ui.state import Slot

ORG = Slot[int | None]("start_org", None)
TEAM = Slot[int | None]("start_team", None)
BANK = Slot[int]("start_bank", 0)  # the next round's bank: a published version's id, or widgets.SHIPPED_BANK
NEW_ORG = Slot[str]("new_org_name", "")  # the "new organisation" popover
NEW_TEAM = Slot[str]("new_team_name", "")  # the "new team" popover
FIRST_ORG = Slot[str]("first_org_name", "")  # the welcome form of an empty install
FIRST_TEAM = Slot[str]("first_team_name", "")
