"""Router: page setup and the page list. Pages live in ui/pages/; add one with one line below."""

import streamlit as st

st.set_page_config(page_title="Foundations", page_icon=":material/foundation:", layout="wide")

PAGES = [
    st.Page("ui/pages/start.py", title="Start", icon=":material/home:", default=True),
    st.Page("ui/pages/assess.py", title="Assess", icon=":material/checklist:"),
    st.Page("ui/pages/results.py", title="Results", icon=":material/insights:"),
]

st.navigation(PAGES, position="top").run()
