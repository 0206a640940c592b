"""Keep a person's place: after a move between foundations, show the top of the new one (or the question asked for).

Streamlit keeps the window's scroll position across reruns, so "Next foundation"
pressed at the bottom of one foundation used to land at the bottom of the next.
A callback asks for a place with `request`; the page calls `apply` after drawing,
which adds a small script that scrolls there (and focuses the question's first
input). The script holds no user text: only a CSS class made from a bank key.
"""

from __future__ import annotations

import json
import re

import streamlit as st

from ui.state import Slot

PLACE = Slot[tuple[str, int] | None]("scroll_place", None)  # (CSS class of the target or "" for the top, a nonce)
_SAFE = re.compile(r"^[A-Za-z0-9_-]*$")

_SCRIPT = """<script>
(() => {
  const target = %s;
  let tries = 0;
  const go = () => {
    const doc = window.document;
    const found = target ? doc.querySelector("." + target) : doc.querySelector("h1");
    if (!found && tries++ < 40) { setTimeout(go, 50); return; }
    if (!found) return;
    found.style.scrollMarginTop = "96px";  // clear of the top navigation bar
    found.scrollIntoView({block: "start", behavior: "instant"});
    if (target) {
      const field = found.querySelector("input, textarea, [role=radio], button");
      if (field) field.focus({preventScroll: true});
    }
  };
  setTimeout(go, 30);
})();
</script><!-- %d -->"""


def request(target: str = "") -> None:
    """From a callback: after this rerun, scroll to the element with CSS class `target` (the page top if "")."""
    if not _SAFE.match(target):
        raise ValueError(f"not a CSS class name: {target!r}")
    previous = PLACE.get()
    PLACE.set((target, (previous[1] if previous else 0) + 1))


def apply() -> None:
    """Call at the end of a page: carry out a requested scroll once (the nonce makes each request a new script)."""
    place = PLACE.pop()
    if place is None:
        return
    target, nonce = place
    st.html(_SCRIPT % (json.dumps(f"st-key-{target}" if target else ""), nonce), unsafe_allow_javascript=True)
