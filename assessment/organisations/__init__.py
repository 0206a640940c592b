"""Organisations, their teams and their members.

Modules: `directory` (organisations and teams by name, get-or-create), `members`
(who belongs to an organisation, with which role; granting and revoking).
"""
