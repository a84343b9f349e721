"""Handovers between a postman and an agency or a one-stop counter (DOMAIN.md §2):
the handover record (biên bản giao nhận), its confirmation, discrepancies, fees,
appointment dates, results ready for return, and the documents printed for them.

Modules: ``places`` (who may see which record, which items fit a place), ``records``
(open, scan, discrepancies, confirm, amend), ``confirmation`` (one-time code, QR token,
signature), ``custody`` (the scans a confirmation causes), ``fees``, ``integrity``
(the record's SHA-256 and the public verification), ``results`` (appointment date,
result ready), ``desk`` (a clerk's day), ``documents`` (PDFs), ``demo``.
Importing the package installs the guard that keeps confirmed records immutable.
"""

from logistics.handovers import immutability as _immutability  # noqa: F401  (installs the guard)
