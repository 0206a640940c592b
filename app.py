"""Router: page setup and the page list. Pages live in ui/pages/; add one with one line below."""

import streamlit as st

from assessment.core.failures import StorageError
from reports.worker import shared_worker
from ui import auth, navigation, reach
from ui.text import sentence

st.set_page_config(page_title="Foundations", page_icon=":material/foundation:", layout="wide")
shared_worker().start()  # the report worker warms up with the app, not on the first click (returns at once)


def workshop_pages() -> list[st.Page]:
    """The facilitator's page and the participants' join page."""
    return [
        st.Page("ui/pages/workshop_facilitator.py", title="Workshop", icon=":material/groups:", url_path="facilitate"),
        st.Page("ui/pages/workshop_join.py", title="Join", icon=":material/login:", url_path="join"),
    ]


PAGES = {  # grouped by who comes for them: a team's own round, a leader's overview, a workshop
    "Your team": [
        st.Page("ui/pages/start.py", title="Start", icon=":material/home:", default=True),
        st.Page("ui/pages/assess.py", title="Assess", icon=":material/checklist:"),
        st.Page("ui/pages/results.py", title="Results", icon=":material/insights:"),
        st.Page("ui/pages/report.py", title="Report", icon=":material/description:"),
        st.Page("ui/pages/dora.py", title="DORA", icon=":material/speed:"),
    ],
    "Leaders": [
        st.Page("ui/pages/portfolio.py", title="Portfolio", icon=":material/grid_view:"),
        st.Page("ui/pages/rounds.py", title="Rounds", icon=":material/compare_arrows:"),
        st.Page("ui/pages/banks.py", title="Question banks", icon=":material/quiz:", url_path="banks"),
    ],
    "Workshops": workshop_pages(),
}


def to_join(join: st.Page, stand_in_for: st.Page, *, default: bool = False) -> st.Page:
    """For a guest, another page's address: it opens the join page (no "page not found", nothing of that page)."""
    url_path = None if default else stand_in_for.url_path or stand_in_for.title.lower()  # "/" and "/start"
    return st.Page(lambda: st.switch_page(join), title=stand_in_for.title, url_path=url_path, default=default)


auth.refuse_unsafe_configuration()  # shared mode: never serve with example or weak secrets
try:
    auth.identify()  # shared mode: who signed in, checked against the database on every run
    if reach.guest():  # local mode, another machine: the workshop pages; every other address leads to the join page
        facilitate, join = workshop_pages()
        others = [*PAGES["Your team"], *PAGES["Leaders"]]
        stand_ins = [to_join(join, others[0], default=True), *(to_join(join, p) for p in others)]
        page = st.navigation([join, facilitate, *stand_ins], position="hidden")
    else:
        owners = navigation.shared_pages()
        hidden = reach.on_join_page()  # participants get no navigation
        page = st.navigation(
            {**PAGES, **({"Owners": owners} if owners else {})}, position="hidden" if hidden else "top"
        )
    auth.gate(page)  # shared mode: sign in first, except on workshop participant links
    page.run()
except StorageError as exc:  # the database refused a read or a write no page handles: one sentence, no traceback
    st.error(sentence(str(exc)), icon=":material/database:")
