"""MSEL spreadsheets: import a planner's CSV or XLSX into a scenario, export a scenario's MSEL back.

A spreadsheet holds only the MSEL; the rest of a scenario (setting, teams, rooms, COP) comes from a
base scenario or the built-in course template (`template.py`). The columns are declared once, in
`columns.py`, and documented in docs/scenario-format.md.
"""
