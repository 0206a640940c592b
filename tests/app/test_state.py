"""Typed session state: a `Slot` keeps a widget's choice valid, forgets on `pop`, and keys a family per id.

The scripts run in AppTest, so they read and write a real session state, and the
widgets they draw read the same entries through `key=slot.key`.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _choices() -> None:
    import streamlit as st

    from ui.state import Slot

    options = st.session_state.get("options", [3, 4])
    chosen = Slot[int | None]("chosen", None)
    chosen.keep_within(options, options[0])
    st.selectbox("Pick", options, key=chosen.key)
    st.text(f"chosen={chosen.get()}")


def test_a_choice_starts_at_the_fallback_and_is_reset_only_when_its_option_goes() -> None:
    at = AppTest.from_function(_choices).run()
    assert at.selectbox(key="chosen").value == 3
    at.selectbox(key="chosen").set_value(4).run()
    assert at.text[0].value == "chosen=4"
    at.session_state["options"] = [4, 5]
    at.run()
    assert at.text[0].value == "chosen=4"  # still offered: kept
    at.session_state["options"] = [5, 6]
    at.run()
    assert at.text[0].value == "chosen=5"  # gone: the fallback


def _entries() -> None:
    import streamlit as st

    from ui.state import Slot, SlotFamily

    note = Slot[str]("note", "unset")
    st.text(f"before={note.get()} is_set={note.is_set()}")
    st.text(f"kept={note.set_default('first')} again={note.set_default('second')}")
    st.text(f"popped={note.pop()} after={note.get()} popped_again={note.pop()}")
    role = SlotFamily[str | None]("acc_role:{}", None)
    role("ana@example.org").set("owner")
    st.text(f"key={role('ana@example.org').key} value={role('ana@example.org').get()} other={role('bo@x').get()}")


def test_a_slot_reads_its_default_while_unset_and_a_family_keys_one_slot_per_id() -> None:
    at = AppTest.from_function(_entries).run()
    assert [t.value for t in at.text] == [
        "before=unset is_set=False",
        "kept=first again=first",
        "popped=first after=unset popped_again=unset",
        "key=acc_role:ana@example.org value=owner other=None",
    ]
