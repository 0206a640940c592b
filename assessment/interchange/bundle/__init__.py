"""An organisation as one JSON document, and its import into another database (format version 2).

`foundations export --org NAME --format json` writes everything the organisation
owns: its teams, every round (answers, history, carried-over flags, the bank
snapshots they were answered against), the DORA data (imports, deployments,
changes, incidents, typed figures, saved column mappings, stored cross-check
findings), and, when an owner exports, the workshops (teams, participants, their
individual answers, the agreed-answer decisions) and the memberships; for anyone
else both are null, since individual answers are otherwise seen only with a
workshop's facilitator key. `foundations import FILE` puts it
into a database that does not have the organisation yet, in one transaction:
export -> import -> export gives the same document but for `exported_at`.

Database ids never appear: a round is found by its team's name and round
number, a DORA row's import by its position in `dora.imports`. Every list is
written in the source's id order and imported in document order, so the order
survives the trip.

Left out on purpose:
- stored scores (`assessment_score`, `foundation_score`, `end_state_readiness`):
  derived from the answers, recomputed by the import;
- the audit log: it is this install's record of who did what here; an import
  that could write it would let a file invent history. The import adds one
  audit row of its own.

Workshop secrets: keys and tokens are never stored, only their SHA-256 digests,
and the document carries those digests, nothing more. A digest of 256 random
bits cannot be turned back into a key or token, so a leaked document opens no
workshop; a moved install keeps working links for people who hold them. The
join code is stored in clear (people read it off a slide) and travels as it is:
the document is as sensitive as the database it came from. An import whose join
code or token digest is already in use is refused: one secret must never open
two workshops.

DORA tables travel as `{"columns": [...], "rows": [[...], ...]}`, their columns
read from the table definitions, so a column added by a migration is exported
without a change here; they are read with one Core query per table and written
with one executemany (SQLite) or COPY (PostgreSQL) per table, never row by row
through the ORM.

The package, in the order a document passes through it:
- `schema`: the document's pydantic models and the tables that travel as columns and rows;
- `export`: `organisation_json` reads the organisation out, `bundle_text` writes it as text;
- `check`: `parse_bundle` validates a document, `check_bundle` checks what needs no database;
- `grants`: what a document would grant (memberships, workshop secrets), listed and imported only when asked;
- `load`: `store_bundle` writes a checked document as a new organisation.
Import each name from the module that defines it.
"""
