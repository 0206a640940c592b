"""The Portfolio page's helpers. Modules: `cache` (data kept until the database changes), `downloads` (exports)."""
