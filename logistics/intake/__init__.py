"""Receiving dossiers for carriage: the applicant, the dossier and one item per leg."""
