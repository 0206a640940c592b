"""Helpers of the two workshop pages.

Modules: `create` (the form and the key shown once), `board` (the dashboard's
tables, no streamlit), `widgets` (the "not valid" message, the answer
inputs, the app's address), `state` (what a workshop tab remembers, the
facilitator key above all).
"""
