"""Seeding a small province (Lai Châu, 38 communes) on both databases: the rows a
dispatcher, a counter and an agency would find there on a Monday morning."""

from __future__ import annotations

from datetime import date, time
from math import ceil

import pytest
import shapely
from sqlmodel import Session, select

from logistics.demo import DEMO_SECRET, SeedSummary, seed_province
from logistics.exceptions import Conflict, InvalidInput
from logistics.geo import from_geojson, is_in_vietnam
from logistics.identifiers.dossier_code import parse_dossier_code
from logistics.identifiers.s10 import is_valid_s10
from logistics.accounts.passwords import verify_secret
from logistics.models import Agency, Counter, Dossier, Item, Person, PostOffice, Postman, Procedure, User
from logistics.models.enums import CounterLevel, HolderKind, ItemStatus, LegKind, PlaceKind, Role
from logistics.workdays import LOCAL_TZ, WorkCalendar

DAY = date(2026, 11, 23)  # a Monday; the previous working day is Friday 20 November
PROVINCE = "Lai Châu"
COMMUNES = 38
VOLUME = 150


@pytest.fixture()
def seeded(session: Session) -> SeedSummary:
    return seed_province(session, province=PROVINCE, seed=11, day=DAY, volume=VOLUME)


def _items(session: Session) -> list[tuple[Item, Dossier, Procedure]]:
    query = select(Item, Dossier, Procedure).join(Dossier, Item.dossier_id == Dossier.id).join(Procedure)
    return list(session.exec(query).all())


def test_counts_fit_the_province(seeded: SeedSummary, session: Session) -> None:
    """One counter per commune plus the provincial centre; departments plus one People's
    Committee per commune; an office per ~10 communes; about one postman per commune."""
    s = seeded
    assert (s.province_code, s.provinces, s.communes) == ("12", 34, 3321)
    assert s.counters == COMMUNES + 1
    assert 10 <= s.agencies - COMMUNES <= 15
    assert 1 + ceil(COMMUNES / 12) <= s.post_offices <= 1 + ceil(COMMUNES / 8)
    assert COMMUNES <= s.postmen <= 1.2 * COMMUNES
    assert s.users == 1 + s.post_offices + s.postmen + s.counters + s.agencies
    assert s.items_total == s.dossiers == s.persons == VOLUME
    assert all(s.items[leg] > 0 for leg in LegKind), "every leg has items"
    assert s.items[LegKind.HOME_DELIVERY] > s.items[LegKind.HOME_PICKUP]
    rows = dict(s.as_rows())
    assert rows["items"] == VOLUME and rows["admin username"] == s.admin_username
    provincial = session.exec(select(Counter).where(Counter.level == CounterLevel.PROVINCIAL)).all()
    assert [c.code for c in provincial] == ["HCC-12"]


def test_every_coordinate_is_in_vietnam(seeded: SeedSummary, session: Session) -> None:
    """Items' both ends, homes, counters, agencies and post offices all lie in Vietnam."""
    points = [(i.origin_lat, i.origin_lon) for i, _, _ in _items(session)]
    points += [(i.destination_lat, i.destination_lon) for i, _, _ in _items(session)]
    for model in (Person, Counter, Agency, PostOffice):
        points += [(row.lat, row.lon) for row in session.exec(select(model))]
    assert points and all(is_in_vietnam(lat, lon) for lat, lon in points)


def test_service_areas_cover_every_commune_counter(seeded: SeedSummary, session: Session) -> None:
    """Every post office has a non-empty service area, areas do not overlap, and every
    commune counter stands in one of them."""
    offices = session.exec(select(PostOffice).order_by(PostOffice.code)).all()
    areas = [from_geojson(o.service_area) for o in offices]
    assert all(not a.is_empty and a.area > 0 for a in areas)
    assert shapely.union_all(areas).area == pytest.approx(sum(a.area for a in areas), rel=1e-6)
    assert offices[0].code == "BC-12-00" and offices[0].phone
    counters = session.exec(select(Counter).where(Counter.level == CounterLevel.COMMUNE)).all()
    assert len(counters) == COMMUNES
    for c in counters:
        assert any(shapely.intersects_xy(a, c.lon, c.lat) for a in areas), c.code


def test_items_respect_procedure_flags(seeded: SeedSummary, session: Session) -> None:
    """No home pickup (nor any intake leg) for a procedure that forbids intake by post;
    no home delivery (nor return) for one whose result cannot go by post."""
    rows = _items(session)
    intake = {LegKind.HOME_PICKUP, LegKind.COUNTER_TO_AGENCY, LegKind.COMMUNE_TRANSFER}
    assert any(i.leg is LegKind.HOME_PICKUP for i, _, _ in rows)
    for item, _, procedure in rows:
        if item.leg in intake:
            assert procedure.intake_by_post, (item.leg, procedure.code)
        else:
            assert procedure.return_by_post, (item.leg, procedure.code)
    assert not any(p.code == "DEMO-KH" for _, _, p in rows), "marriage registration never goes by post"


def test_status_and_holder_match_the_leg(seeded: SeedSummary, session: Session) -> None:
    """Pickups are announced and held by the applicant; transfers accepted at the counter;
    returns announced at the agency; deliveries accepted at the post office (except the
    items the demo's confirmed handovers of the day before have moved on)."""
    from logistics.models import HandoverLine

    handed = set(session.exec(select(HandoverLine.item_id)).all())
    assert handed, "the demo contains confirmed handovers"
    expected = {
        LegKind.HOME_PICKUP: (ItemStatus.CREATED, HolderKind.APPLICANT, PlaceKind.HOME),
        LegKind.COUNTER_TO_AGENCY: (ItemStatus.ACCEPTED, HolderKind.COUNTER, PlaceKind.COUNTER),
        LegKind.COMMUNE_TRANSFER: (ItemStatus.ACCEPTED, HolderKind.COUNTER, PlaceKind.COUNTER),
        LegKind.AGENCY_TO_COUNTER: (ItemStatus.CREATED, HolderKind.AGENCY, PlaceKind.AGENCY),
        LegKind.HOME_DELIVERY: (ItemStatus.ACCEPTED, HolderKind.POST_OFFICE, PlaceKind.POST_OFFICE),
        LegKind.AGENCY_TO_OFFICE: (ItemStatus.CREATED, HolderKind.AGENCY, PlaceKind.AGENCY),
    }
    for item, dossier, _ in _items(session):
        if item.id in handed:
            continue
        status, holder, origin = expected[item.leg]
        assert (item.status, item.holder_kind, item.origin_kind) == (status, holder, origin)
        if holder is HolderKind.APPLICANT:
            assert item.holder_ref_id == dossier.applicant_id == item.person_id
        else:
            assert item.holder_ref_id == item.origin_ref_id
        assert is_valid_s10(item.s10)
        results = (LegKind.AGENCY_TO_COUNTER, LegKind.HOME_DELIVERY, LegKind.AGENCY_TO_OFFICE)
        assert item.s10.startswith("EB" if item.leg in results else "RR")
        if item.leg is LegKind.AGENCY_TO_OFFICE:  # kept for the recipient at their office
            assert (item.destination_kind, item.destination_ref_id) == (PlaceKind.POST_OFFICE, item.post_office_id)
            assert item.person_id == dossier.recipient_id
        assert 100 <= item.weight_g <= 800


def test_dates_follow_the_working_calendar(seeded: SeedSummary, session: Session) -> None:
    """Dossiers were received in office hours of past working days, their code carries the
    agency and that date, the appointment is received + SLA working days, and a result
    is due today when its appointment is today or past."""
    cal = WorkCalendar.default()
    agencies = {a.id: a for a in session.exec(select(Agency))}
    for item, dossier, procedure in _items(session):
        local = dossier.received_at.astimezone(LOCAL_TZ)
        assert local.date() < DAY and cal.is_working_day(local.date())
        assert time(7, 30) <= local.time() < time(11, 30) or time(13, 30) <= local.time() < time(17, 0)
        code = parse_dossier_code(dossier.code)
        assert (code.agency_code, code.received_on) == (agencies[dossier.agency_id].code, local.date())
        assert dossier.appointment_date == cal.add_working_days(local.date(), procedure.sla_working_days)
        if item.leg in (LegKind.HOME_DELIVERY, LegKind.AGENCY_TO_COUNTER, LegKind.AGENCY_TO_OFFICE):
            assert item.due_date == max(DAY, dossier.appointment_date)
            assert cal.working_days_between(DAY, item.due_date) <= 3
        else:
            assert item.due_date == DAY
        if item.leg is LegKind.HOME_PICKUP:
            assert item.window_start and item.window_start.astimezone(LOCAL_TZ).date() == DAY
            assert (item.window_end - item.window_start).total_seconds() == 2 * 3600


def test_staff_have_readable_usernames_and_the_demo_pin(seeded: SeedSummary, session: Session) -> None:
    """admin, a dispatcher per office, postmen with vehicles and shifts, clerks per counter
    and agency; all sign in with DEMO_SECRET."""
    users = {u.username: u for u in session.exec(select(User))}
    assert users[seeded.admin_username].role is Role.ADMIN
    assert users["dp-bc-12-00"].role is Role.DISPATCHER
    assert users["pm-bc-12-00-01"].role is Role.POSTMAN
    assert users["cc-hcc-12"].role is Role.COUNTER_CLERK
    assert users["ac-000.00.01.h12"].role is Role.AGENCY_CLERK
    assert verify_secret(users[seeded.admin_username].secret_hash, DEMO_SECRET)
    postmen = session.exec(select(Postman)).all()
    assert sum(p.vehicle.value == "motorbike" for p in postmen) > 0.7 * len(postmen)
    for p in postmen:
        assert p.shift_start < p.break_earliest < p.break_latest < p.shift_end
        if p.vehicle.value == "motorbike":
            assert 40 <= p.capacity_items <= 80 and 30_000 <= p.capacity_g <= 50_000


def test_a_province_cannot_be_seeded_twice(seeded: SeedSummary, session: Session) -> None:
    """A second seed of the same province is refused with province_already_seeded."""
    with pytest.raises(Conflict) as caught:
        seed_province(session, province="12", seed=12, day=DAY, volume=10)
    assert caught.value.code == "province_already_seeded"


def test_an_unknown_province_is_refused(session: Session) -> None:
    """A name matching no province is an InvalidInput, before anything is written."""
    with pytest.raises(InvalidInput) as caught:
        seed_province(session, province="Atlantis", seed=1, day=DAY)
    assert caught.value.code == "unknown_province"
    assert session.exec(select(Counter)).first() is None
