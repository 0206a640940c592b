"""DORA metrics: stored rows -> the four keys per team over an explicit window.

Modules: `window` (the [since, until) window); `frames` (stored rows read into Arrow
tables), with `joined` (each table's rows as a few joined strings, split back in C) and
`snapshot` (a second connection that sees exactly the session's rows); `compute` (the
four metrics per team), with `keys` (integer keys for the group-bys), `shipments`
(each change's first deployment and the lead times) and `links` (each incident's
deployment); `quality` (rows left out and why); `trends` (week-by-week series for the
charts); `pool` (the Arrow memory pool of the large buffers).
"""
