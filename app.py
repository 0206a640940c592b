"""Router: page setup and the page list. Pages live in ui/pages/; add one with one line below."""

import streamlit as st

from reports.worker import shared_worker
from ui import auth, navigation

st.set_page_config(page_title="Foundations", page_icon=":material/foundation:", layout="wide")
shared_worker().start()  # the report worker warms up with the app, not on the first click (returns at once)

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
    ],
    "Workshops": [
        st.Page("ui/pages/workshop_facilitator.py", title="Workshop", icon=":material/groups:", url_path="facilitate"),
        st.Page("ui/pages/workshop_join.py", title="Join", icon=":material/login:", url_path="join"),
    ],
}

auth.refuse_unsafe_configuration()  # shared mode: never serve with example or weak secrets
auth.identify()  # shared mode: who signed in, checked against the database on every run
owners = navigation.shared_pages()
page = st.navigation({**PAGES, **({"Owners": owners} if owners else {})}, position="top")
auth.gate(page)  # shared mode: sign in first, except on workshop participant links
page.run()
