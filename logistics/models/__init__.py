"""Every table of the product, one per module, re-exported here.

``from logistics.models import Item, ScanEvent``. This package imports nothing above it.
"""

from logistics.models.admin_unit import AdminUnit, AdminUnitBase
from logistics.models.agency import Agency, AgencyBase
from logistics.models.api_token import ApiToken
from logistics.models.audit_log import AuditLog
from logistics.models.counter import Counter, CounterBase
from logistics.models.day_file import DayFile, DayFileStatus
from logistics.models.delivery_reschedule import DeliveryReschedule
from logistics.models.delivery_otp import DeliveryOtp
from logistics.models.dossier import Dossier, DossierBase
from logistics.models.dossier_document import DossierDocument
from logistics.models.position_ping import PositionPing
from logistics.models.proof_file import ProofFile, ProofKind
from logistics.models.handover import Handover, HandoverBase
from logistics.models.handover_line import HandoverLine
from logistics.models.holiday import Holiday
from logistics.models.item import Item, ItemBase
from logistics.models.legacy_unit_code import LegacyUnitCode
from logistics.models.notification import Notification, NotificationBase
from logistics.models.notification import ProviderStatusReport
from logistics.models.person import Person, PersonBase
from logistics.models.post_office import PostOffice, PostOfficeBase
from logistics.models.postman import Postman, PostmanBase
from logistics.models.procedure import Procedure, ProcedureBase
from logistics.models.route import Route, RouteBase
from logistics.models.route_stop import RouteStop, RouteStopBase
from logistics.models.route_stop_item import RouteStopItem
from logistics.models.s10_allocation import S10Allocation
from logistics.models.s10_series import S10Series
from logistics.models.scan_event import ScanEvent, ScanEventBase
from logistics.models.sign_in_throttle import SignInThrottle
from logistics.models.tracking_token import TrackingToken
from logistics.models.user import User, UserBase
from logistics.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "AdminUnit", "AdminUnitBase", "Agency", "AgencyBase", "ApiToken", "AuditLog", "Counter",
    "CounterBase", "DayFile", "DayFileStatus", "DeliveryOtp", "DeliveryReschedule", "PositionPing", "ProofFile", "ProofKind", "Dossier", "DossierBase", "DossierDocument", "Handover", "HandoverBase", "HandoverLine", "Holiday",
    "Item", "ItemBase", "LegacyUnitCode", "Notification", "NotificationBase", "Person", "PersonBase",
    "PostOffice", "PostOfficeBase", "Postman", "PostmanBase", "Procedure", "ProcedureBase", "Route",
    "RouteBase", "RouteStop", "RouteStopBase", "RouteStopItem", "S10Allocation", "S10Series",
    "ScanEvent", "ScanEventBase", "SignInThrottle", "TrackingToken", "User", "UserBase",
    "WebhookDelivery", "WebhookEndpoint",
    "ProviderStatusReport",
]
