"""Field types for request bodies and parameters that obey a domain rule.

One copy of each type exists, in ``logistics.fields`` (domain input schemas use them
too); this module re-exports them for the HTTP layers so routers import their field
types from the API core, as they do the error shape and the dependencies.
"""

from logistics.fields import DossierCode, LatLon, Latitude, Longitude, S10Code, VnMobile, as_field_error

__all__ = ["DossierCode", "LatLon", "Latitude", "Longitude", "S10Code", "VnMobile", "as_field_error"]
