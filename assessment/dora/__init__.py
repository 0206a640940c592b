"""DORA data: import (typed figures, canonical files, mapped exports), metrics, benchmarks, cross-check.

Read docs/DORA.md for the canonical format and every definition used here.
"""
