"""DORA metrics: stored rows -> the four keys per team over an explicit window.

Modules: `window` (the [since, until) window), `frames` (stored rows read into Arrow
tables), `compute` (the four metrics), `quality` (rows left out and why), `trends`
(week-by-week series for the charts).
"""
