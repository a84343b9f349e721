"""Reports for dispatchers and the province: on-time rate against the appointment date,
the late-dossier list (internal and published), postmen's productivity, volumes per leg.

Each report is a plain query over the tables, filtered by a :class:`scope.ReportScope`
(date range, post office) that ``scope.resolve`` derives from the caller's role, and
returns rows that ``tables`` turns into a CSV or XLSX sheet.
"""
