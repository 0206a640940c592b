"""Who may do what in an organisation: roles, the acting person, every check, and the audit log.

Modules: `policy` (actions, roles, the acting person and every check). Granting and
revoking memberships is `assessment.organisations.members`; the tables are in
`assessment.models.access`.
"""
