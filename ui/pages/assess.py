"""Assess: placeholder while the page is built."""

import streamlit as st

st.title("Assess")
