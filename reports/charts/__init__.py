"""Every chart, for screen and paper: builder functions of plain data returning Altair charts.

`palette` (the one set of colours, level labels from the bank's level names, the
font), `medium` (screen or paper sizes), a module per chart: `scores`, `plan`,
`portfolio` (heatmap, teams per level, trend), `dora` (weekly trends over the
benchmark bands), `workshop` (a question's answers). Pages show a builder's chart
with `st.altair_chart`; the PDFs draw the same builder with `paper.svg_data_uri`.
"""
