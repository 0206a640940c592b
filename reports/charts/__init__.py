"""Charts for screen and paper: builder functions returning Altair charts.

Modules: `scores` (a round's foundation scores), `portfolio` (the heatmap and
trends), `dora` (weekly DORA trends with the benchmark bands).
"""
