"""Vietnam's administrative geography since 1 July 2025: 34 provinces, 3,321 communes."""
