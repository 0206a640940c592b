"""Foundations: the domain. Plain Python; never imports streamlit."""
