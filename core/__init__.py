"""Portico's small shared library: its settings (core.conf), domain errors, the acting party,
form and page helpers, ids and numbers read from outside.

It sits below every Django app and imports none of them.
"""
