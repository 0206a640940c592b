"""The `foundations` command line: one interface on top of the domain, beside the app.

Modules: `main` (the parser, `main()`, and the core commands), `database`, `access`,
`portfolio`, `dora` and `workshops` (one module per command group); `arguments`
reads the ids, dates, names and files they all take, with one set of messages.
"""
