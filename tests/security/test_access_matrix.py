"""Who may pass the door of every endpoint: each route of the application, found by
walking ``app.routes`` (so a new endpoint without a rule here fails), is called by every
role and by nobody, and must let in exactly the roles its rule names.

The rule is about the door (authentication, role, the kind of credential), not about
the rooms: a request that gets in may still find nothing (404) or be refused by the
object's own rules. Those, record by record, are in the scoped tests:
``tests/web/test_handovers_matrix.py`` (handover records), ``tests/web/test_read_scopes.py``
(items and dossiers), ``tests/mobile_api`` (a postman's own route and records).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api_core.routes import app_routes
from logistics.accounts import tokens
from logistics.models import User
from logistics.models.enums import Role
from support.sessions import serve_from
from tests.logistics.tracking.scan_world import build_scan_world
from tests.web.factories import World
from web.app import create_app
from web.routers import agency_pages

ANONYMOUS = "anonymous"
ROLES = (Role.ADMIN, Role.DISPATCHER, Role.POSTMAN, Role.AGENCY_CLERK, Role.COUNTER_CLERK)
CALLERS = (ANONYMOUS, *ROLES)


@dataclass(frozen=True)
class Rule:
    """``allowed`` roles get in; anybody else gets ``refused`` (401/403, or 303 to a sign-in page)."""

    allowed: frozenset[str]
    credential: str = "bearer"  # bearer (web token), phone (device-bound token), cookie (desk pages), none
    anonymous: int = 401
    denied: int = 403


def _names(*roles: Role | str) -> frozenset[str]:
    return frozenset(r.value if isinstance(r, Role) else r for r in roles)


PUBLIC = Rule(_names(*CALLERS), credential="none")
STAFF = Rule(_names(*ROLES))
INTAKE = Rule(_names(Role.ADMIN, Role.DISPATCHER, Role.COUNTER_CLERK))
CLERKS = Rule(_names(Role.AGENCY_CLERK, Role.COUNTER_CLERK))
PHONE = Rule(_names(Role.ADMIN, Role.DISPATCHER, Role.POSTMAN), credential="phone")
POSTMAN_PHONE = Rule(_names(Role.POSTMAN), credential="phone")  # a postman's own records
DESK = Rule(_names(Role.AGENCY_CLERK, Role.COUNTER_CLERK), credential="cookie", anonymous=303, denied=303)
SIGNED = Rule(frozenset(), credential="none", anonymous=403)  # only Twilio's signature opens it
PLANNERS = Rule(_names(Role.ADMIN, Role.DISPATCHER))  # dispatchers (their own office) and admins
ADMINS = Rule(_names(Role.ADMIN))

RULES: dict[tuple[str, str], Rule] = {
    # documentation, health, metrics (METRICS_TOKEN, when set: test_observability.py)
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/health"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    # signing in
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/refresh"): PUBLIC,
    ("POST", "/api/v1/auth/revoke"): STAFF,
    ("POST", "/mobile/v1/auth/sign-in"): PUBLIC,
    ("POST", "/mobile/v1/auth/refresh"): PUBLIC,
    ("POST", "/mobile/v1/auth/sign-out"): PHONE,
    # catalogue and scoped reads
    ("GET", "/api/v1/me"): STAFF,
    ("GET", "/api/v1/admin-units"): STAFF,
    ("GET", "/api/v1/post-offices"): STAFF,
    ("GET", "/api/v1/counters"): STAFF,
    ("GET", "/api/v1/agencies"): STAFF,
    ("GET", "/api/v1/procedures"): STAFF,
    ("POST", "/api/v1/dossiers"): INTAKE,
    ("GET", "/api/v1/dossiers"): STAFF,
    ("GET", "/api/v1/dossiers/{code}"): STAFF,
    ("GET", "/api/v1/items"): STAFF,
    ("GET", "/api/v1/items/{s10}"): STAFF,
    # agencies and counters (record by record: test_handovers_matrix.py)
    ("GET", "/api/v1/desk"): CLERKS,
    ("GET", "/api/v1/handovers"): STAFF,
    ("GET", "/api/v1/handovers/{code}"): STAFF,
    ("POST", "/api/v1/handovers/{code}/discrepancies"): STAFF,
    ("POST", "/api/v1/handovers/{code}/confirm"): STAFF,
    ("POST", "/api/v1/handovers/{code}/qr"): STAFF,
    ("POST", "/api/v1/handovers/{code}/amend"): STAFF,
    ("GET", "/api/v1/handovers/{code}/record.pdf"): STAFF,
    ("PUT", "/api/v1/dossiers/{dossier_code}/appointment"): STAFF,
    ("POST", "/api/v1/dossiers/{dossier_code}/result-ready"): STAFF,
    ("PUT", "/api/v1/dossiers/{dossier_code}/documents"): STAFF,
    ("GET", "/api/v1/dossiers/{dossier_code}/dispatch-note.pdf"): STAFF,
    # the clerks' pages
    ("GET", "/desk/login"): PUBLIC,
    ("POST", "/desk/login"): PUBLIC,
    ("POST", "/desk/logout"): PUBLIC,
    ("GET", "/desk"): DESK,
    ("GET", "/desk/handovers/{code}"): DESK,
    ("POST", "/desk/handovers/{code}/confirm"): DESK,
    ("POST", "/desk/handovers/{code}/discrepancy"): DESK,
    ("POST", "/desk/handovers/{code}/qr"): DESK,
    ("GET", "/desk/handovers/{code}/record.pdf"): DESK,
    ("POST", "/desk/dossiers/{dossier_code}/appointment"): DESK,
    ("POST", "/desk/dossiers/{dossier_code}/result-ready"): DESK,
    # citizens and Twilio: the link's token or the request's signature is the credential
    ("GET", "/verify/handover/{code}"): PUBLIC,
    ("GET", "/t/{token}.json"): PUBLIC,
    ("GET", "/t/{token}"): PUBLIC,
    ("POST", "/t/{token}/reschedule"): PUBLIC,
    ("POST", "/webhooks/twilio/status"): SIGNED,
    # the postmen's phones
    ("GET", "/mobile/v1/route"): PHONE,
    ("GET", "/mobile/v1/manifest"): PHONE,
    ("POST", "/mobile/v1/scans"): PHONE,
    ("POST", "/mobile/v1/proofs"): PHONE,
    ("POST", "/mobile/v1/otp"): PHONE,
    ("POST", "/mobile/v1/pings"): PHONE,
    ("POST", "/mobile/v1/handovers"): PHONE,
    ("GET", "/mobile/v1/handovers"): POSTMAN_PHONE,
    ("GET", "/mobile/v1/handovers/{code}"): PHONE,
    ("POST", "/mobile/v1/handovers/{code}/items"): PHONE,
    ("DELETE", "/mobile/v1/handovers/{code}/items/{s10}"): PHONE,
    ("POST", "/mobile/v1/handovers/{code}/cancel"): PHONE,
    ("POST", "/mobile/v1/handovers/{code}/otp"): PHONE,
    ("POST", "/mobile/v1/handovers/{code}/qr"): PHONE,
    ("POST", "/mobile/v1/handovers/{code}/signature"): PHONE,
    ("GET", "/mobile/v1/handovers/{code}/record.pdf"): PHONE,
    # dispatchers: open-format days, the console's API, reports, imports
    ("GET", "/api/v1/day-files"): PLANNERS,
    ("POST", "/api/v1/day-files"): PLANNERS,
    ("GET", "/api/v1/day-files/{day_file_id}"): PLANNERS,
    ("GET", "/api/v1/day-files/{day_file_id}/day"): PLANNERS,
    ("GET", "/api/v1/day-files/{day_file_id}/plan"): PLANNERS,
    ("GET", "/api/v1/post-offices/{code}/days/{day}/open-format"): PLANNERS,
    ("GET", "/api/v1/dispatch/offices"): PLANNERS,
    ("GET", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/live"): PLANNERS,
    ("GET", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/routes"): PLANNERS,
    ("GET", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/unplanned"): PLANNERS,
    ("GET", "/api/v1/dispatch/offices/{post_office_id}/jobs/{task_id}"): PLANNERS,
    ("POST", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/plan"): PLANNERS,
    ("POST", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/reoptimise"): PLANNERS,
    ("POST", "/api/v1/dispatch/offices/{post_office_id}/days/{day}/urgent"): PLANNERS,
    ("POST", "/api/v1/dispatch/routes/{route_id}/pin"): PLANNERS,
    ("POST", "/api/v1/dispatch/stops/{stop_id}/move"): PLANNERS,
    ("POST", "/api/v1/dispatch/stops/{stop_id}/pin"): PLANNERS,
    ("GET", "/api/v1/reports/late-dossiers"): PLANNERS,
    ("GET", "/api/v1/reports/on-time"): PLANNERS,
    ("GET", "/api/v1/reports/post-offices"): PLANNERS,
    ("GET", "/api/v1/reports/productivity"): PLANNERS,
    ("GET", "/api/v1/reports/volumes"): PLANNERS,
    ("GET", "/api/v1/imports/template.csv"): PUBLIC,  # the empty file: column names only
    ("POST", "/api/v1/imports/dossiers"): PLANNERS,
    # outgoing webhooks: admins only
    ("GET", "/api/v1/webhooks/endpoints"): ADMINS,
    ("POST", "/api/v1/webhooks/endpoints"): ADMINS,
    ("DELETE", "/api/v1/webhooks/endpoints/{endpoint_id}"): ADMINS,
    ("GET", "/api/v1/webhooks/deliveries"): ADMINS,
    # the dispatchers' pages: the page itself is open, its data come through the API above
    ("GET", "/console"): PUBLIC,
    ("GET", "/reports"): PUBLIC,
    ("GET", "/imports"): PUBLIC,
}

REFUSALS = {401, 403}


def endpoints() -> list[tuple[str, str]]:
    return sorted({(m, r.path) for r in app_routes(create_app()) for m in r.methods if m != "HEAD"})


def test_every_endpoint_has_a_rule():
    """A new endpoint must say who may call it here; a rule for a removed one is stale."""
    found = set(endpoints())
    assert sorted(found - RULES.keys()) == [], "endpoints without an access rule in RULES"
    assert sorted(RULES.keys() - found) == [], "rules for endpoints that no longer exist"


@pytest.fixture()
def world(session: Session) -> World:
    """The small province, with postman A on a route (a postman has a Postman row)."""
    return build_scan_world(session, n_items=1).world


def _user(world: World, role: Role) -> User:
    return world.admin if role is Role.ADMIN else world.a.users[role]


def _call(client: TestClient, session: Session, world: World, method: str, path: str, rule: Rule, caller: str):
    url = re.sub(r"\{[^}]+\}", "X0", path)
    client.cookies.clear()
    headers: dict[str, str] = {}
    form = None
    if caller != ANONYMOUS:
        # A fresh pair each time: a sign-out or revoke must not spoil the next request.
        user = _user(world, Role(caller))
        device = "matrix-phone" if path.startswith("/mobile/") else None
        token = tokens.issue_pair(session, user=user, device_id=device).access_token
        headers["Authorization"] = f"Bearer {token}"
        client.cookies.set(agency_pages.COOKIE, token)
        if rule.credential == "cookie" and method == "POST":
            form = {"csrf": agency_pages._csrf(token)}  # what the page of a signed-in clerk carries
    return client.request(method, url, headers=headers, data=form)


def _verdict(response, rule: Rule) -> str:  # noqa: ANN001
    if rule.credential == "cookie" and response.status_code == 303 and response.headers["location"].endswith("/login"):
        return "303"
    return str(response.status_code) if response.status_code in REFUSALS else "in"


def test_matrix(session: Session, world: World):
    """Every endpoint × every role and nobody: in, or refused with the rule's status."""
    app = serve_from(create_app(), session)
    wrong: list[str] = []
    with TestClient(app, follow_redirects=False) as client:
        for method, path in endpoints():
            rule = RULES[(method, path)]
            for caller in CALLERS:
                if caller == ANONYMOUS:
                    expected = "in" if ANONYMOUS in rule.allowed else str(rule.anonymous)
                else:
                    expected = "in" if caller in rule.allowed else str(rule.denied)
                response = _call(client, session, world, method, path, rule, caller)
                got = _verdict(response, rule)
                if got != expected:
                    wrong.append(f"{method} {path} as {caller}: expected {expected}, got {response.status_code} "
                                 f"{response.text[:120]}")
                elif got in ("401", "403"):
                    assert {"error", "detail"} <= set(response.json()), (method, path, response.text)
    assert wrong == [], "\n".join(wrong)


def test_wrong_credentials_are_refused(session: Session, world: World):
    """A web token does not open the phone API; a garbage or revoked token opens nothing."""
    app = serve_from(create_app(), session)
    postman = world.a.users[Role.POSTMAN]
    web_token = tokens.issue_pair(session, user=postman).access_token
    revoked = tokens.issue_pair(session, user=postman, device_id="lost-phone").access_token
    tokens.revoke_device(session, user_id=postman.id, device_id="lost-phone")
    with TestClient(app) as client:
        for method, path in endpoints():
            rule = RULES[(method, path)]
            url = re.sub(r"\{[^}]+\}", "X0", path)
            if rule.credential == "phone":
                response = client.request(method, url, headers={"Authorization": f"Bearer {web_token}"})
                assert (response.status_code, response.json()["error"]) == (401, "device_token_required"), path
            if rule.credential in ("phone", "bearer"):
                for bad in ("not-a-token", revoked):
                    response = client.request(method, url, headers={"Authorization": f"Bearer {bad}"})
                    assert response.status_code == 401, (path, bad, response.text)
                    assert response.headers["WWW-Authenticate"].startswith("Bearer"), path
