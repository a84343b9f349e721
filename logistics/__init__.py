"""bcci-logistics: carriage of administrative dossiers and results by the public postal service."""
