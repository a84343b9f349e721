"""Enumerations stored in the tables. The transitions between statuses are data in
``logistics.tracking.states``; this module only names the values."""

from __future__ import annotations

from enum import StrEnum


class AdminLevel(StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"
    DISTRICT = "district"  # only in legacy codes: the district level ended on 2025-07-01


class CounterLevel(StrEnum):
    PROVINCIAL = "provincial"  # Trung tâm Phục vụ hành chính công tỉnh
    COMMUNE = "commune"  # Bộ phận Một cửa of a commune


class Role(StrEnum):
    POSTMAN = "postman"
    DISPATCHER = "dispatcher"
    COUNTER_CLERK = "counter_clerk"
    AGENCY_CLERK = "agency_clerk"
    ADMIN = "admin"


class LegKind(StrEnum):
    HOME_PICKUP = "home_pickup"  # citizen's home -> counter or agency
    COUNTER_TO_AGENCY = "counter_to_agency"
    AGENCY_TO_COUNTER = "agency_to_counter"  # result return
    AGENCY_TO_OFFICE = "agency_to_office"  # result return, kept at the post office for collection
    HOME_DELIVERY = "home_delivery"  # result to the citizen's home
    COMMUNE_TRANSFER = "commune_transfer"  # commune counter <-> commune counter


# The legs that carry a decided result back towards the citizen.
RESULT_LEGS = frozenset({LegKind.AGENCY_TO_COUNTER, LegKind.AGENCY_TO_OFFICE, LegKind.HOME_DELIVERY})


class PlaceKind(StrEnum):
    HOME = "home"
    COUNTER = "counter"
    AGENCY = "agency"
    POST_OFFICE = "post_office"


class HolderKind(StrEnum):
    """Who holds an item at a moment (chain of custody)."""

    APPLICANT = "applicant"
    POST_OFFICE = "post_office"
    POSTMAN = "postman"
    COUNTER = "counter"
    AGENCY = "agency"
    RECIPIENT = "recipient"


class ItemStatus(StrEnum):
    CREATED = "created"  # announced, not yet in the post's hands
    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    HANDED_OVER = "handed_over"
    DELIVERY_FAILED = "delivery_failed"
    READY_FOR_PICKUP = "ready_for_pickup"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


class ScanCode(StrEnum):
    """The product's own scan codes; ``tracking.states`` maps each to UPU EMSEVT."""

    ACCEPTED_AT_COUNTER = "accepted_at_counter"
    PICKED_UP_AT_HOME = "picked_up_at_home"
    COLLECTED_FROM_AGENCY = "collected_from_agency"
    COLLECTED_FROM_COUNTER = "collected_from_counter"  # a dossier the counter accepted, taken on a handover record
    INTO_POST_OFFICE = "into_post_office"
    OUT_OF_POST_OFFICE = "out_of_post_office"
    ARRIVED_AT_DELIVERY_OFFICE = "arrived_at_delivery_office"
    OUT_FOR_DELIVERY = "out_for_delivery"
    HANDED_OVER = "handed_over"  # to the destination agency or counter, with a handover record
    DELIVERY_FAILED = "delivery_failed"
    DELIVERED = "delivered"
    HELD_AT_POST_OFFICE = "held_at_post_office"
    RETURNED_TO_AGENCY = "returned_to_agency"


class FailureReason(StrEnum):
    NOT_HOME = "not_home"
    REFUSED = "refused"
    WRONG_ADDRESS = "wrong_address"
    NO_ID_DOCUMENT = "no_id_document"
    ACCESS_RESTRICTED = "access_restricted"
    RECIPIENT_DECEASED_OR_MOVED = "recipient_deceased_or_moved"
    WEATHER = "weather"
    VEHICLE_BREAKDOWN = "vehicle_breakdown"
    OTHER = "other"


class FailureAction(StrEnum):
    RETRY_NEXT_DAY = "retry_next_day"
    RETRY_ON_DATE = "retry_on_date"
    HOLD_AT_POST_OFFICE = "hold_at_post_office"
    RETURN_TO_AGENCY = "return_to_agency"


class ScanOutcome(StrEnum):
    APPLIED = "applied"  # moved the item's state
    HISTORY = "history"  # late event: recorded, state not moved back
    REJECTED = "rejected"


class DossierStatus(StrEnum):
    RECEIVED = "received"
    IN_PROCESSING = "in_processing"
    RESULT_READY = "result_ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ResultDelivery(StrEnum):
    """How the citizen wants the result back."""

    HOME = "home"
    COUNTER = "counter"
    POST_OFFICE = "post_office"


class PostagePayer(StrEnum):
    CITIZEN = "citizen"
    AGENCY = "agency"
    SUBSIDY = "subsidy"


class VehicleKind(StrEnum):
    MOTORBIKE = "motorbike"
    BICYCLE = "bicycle"
    CAR = "car"
    ON_FOOT = "on_foot"


class RouteStatus(StrEnum):
    DRAFT = "draft"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class StopStatus(StrEnum):
    PENDING = "pending"
    ARRIVED = "arrived"
    DONE = "done"
    SKIPPED = "skipped"


class StopAction(StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class HandoverKind(StrEnum):
    TO_AGENCY = "to_agency"
    FROM_AGENCY = "from_agency"
    TO_COUNTER = "to_counter"
    FROM_COUNTER = "from_counter"


class HandoverStatus(StrEnum):
    OPEN = "open"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class ConfirmationMethod(StrEnum):
    OTP = "otp"
    QR = "qr"
    SIGNATURE = "signature"


class LineOutcome(StrEnum):
    ACCEPTED = "accepted"
    MISSING = "missing"
    SEAL_BROKEN = "seal_broken"
    COUNT_DIFFERS = "count_differs"
    UNEXPECTED = "unexpected"


class NotificationTrigger(StrEnum):
    PICKUP_BOOKED = "pickup_booked"
    PICKED_UP = "picked_up"
    HANDED_TO_AGENCY = "handed_to_agency"
    RESULT_READY = "result_ready"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    DEADLINE_AT_RISK = "deadline_at_risk"
    RESCHEDULED = "rescheduled"
    DELIVERY_OTP = "delivery_otp"  # the one-time code the recipient reads out to the postman


class NotificationStatus(StrEnum):
    PENDING = "pending"
    HELD = "held"  # quiet hours or rate limit: waits for not_before
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"


class TokenKind(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for a worker (or for not_before, after a failed try)
    SENDING = "sending"  # claimed by a worker
    DELIVERED = "delivered"  # the endpoint answered 2xx
    FAILED = "failed"  # refused for good (4xx) or given up after the last try
