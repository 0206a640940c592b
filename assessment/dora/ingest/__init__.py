"""DORA import: a file's text -> checked canonical rows -> the database, all or nothing.

Modules: `sources` (read a file into text columns), `mapping` (which header holds
which canonical column), `parsing` (typed columns and every problem), `problems`
(file, line, column, value), `store` (bulk writes), `saved` (named mappings),
`presets` (the mappings of common tools' exports),
`pipeline` (the import as the app and the command line run it).
"""
