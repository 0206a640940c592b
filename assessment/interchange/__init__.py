"""Files in and out: one assessment as JSON, an organisation as a bundle, CSV for spreadsheets.

Modules: `assessment_json` (one round with its bank and history, v1 reader
included), `bundle` (an organisation: schema, export, check, load), `exports`
(spreadsheet-safe CSV and the organisation export), `serialise` (JSON-ready shapes
of domain results for the command line and the exports).
"""
