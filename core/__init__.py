"""Portico's small shared library: domain errors, the acting party, form and page helpers.

It sits below every Django app and imports none of them.
"""
