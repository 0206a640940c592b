"""The Access page's helpers.

Modules: `branding` (an owner sets the reports' branding, with a preview before saving).
"""
