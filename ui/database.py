"""The app's one engine per database URL, and a friendly stop when the database cannot be used.

The engine is created and its schema checked once per process (`st.cache_resource`);
every page and callback then opens its own short session on it.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.access.policy import bind
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError, SchemaStateError
from ui import identity, reach
from ui.text import sentence


@st.cache_resource(show_spinner=False)
def _checked_engine(url: str) -> Engine:
    """Keyed by URL so tests (and a changed environment) get their own engine; errors are not cached."""
    return db.ready_engine(url)


def engine() -> Engine:
    """The checked engine, bound to whoever is signed in (every check sees who acts); see `unbound`.

    A workshop's guest (local mode, another machine: `ui.reach`) holds no role at all.
    """
    bound = identity.as_signed_in(unbound())
    return bind(bound, None) if reach.guest() else bound


def unbound() -> Engine:
    """The checked engine; on a missing or mismatched schema, explain what to do and stop the page."""
    try:
        return _checked_engine(get_settings().database_url)
    except SchemaStateError as exc:
        st.error("The database is not ready for this version of Foundations.", icon=":material/database:")
        st.markdown(sentence(str(exc)))
        st.code("foundations db upgrade", language="bash")
        st.caption(
            "Run it once where the app runs, then reload this page. On SQLite it first copies the database "
            "beside it and says where."
        )
    except FoundationsError as exc:  # a StorageError: its sentence says why and who can help; no upgrade would
        st.error(sentence(str(exc)), icon=":material/database:")
    st.stop()
