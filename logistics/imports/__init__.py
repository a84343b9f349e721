"""Bulk import of dossiers and items from the province's one-stop system (CSV or XLSX):
``reading`` turns the file into rows, ``rows`` into intake requests with per-row
errors, ``service`` checks them against the database with the intake service and
writes all of them, none of them, or (asked explicitly) the valid dossiers only."""
