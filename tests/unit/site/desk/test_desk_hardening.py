"""Desk hardening: security headers, sign-out that sticks, a per-address
sign-in limit, a safe `next`, and unreadable JSON bodies refused with a 4xx."""

from __future__ import annotations

import pytest
from desk_helpers import PASSWORD, csrf_token, make_ticket, sign_in

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


@pytest.mark.parametrize(
    "path",
    [
        "/desk/",
        "/desk/api/tickets",
        "/desk/tickets/ALM-999999",
        "/desk/static/desk.css",
        "/desk/nowhere",
        "/",
    ],
)
def test_every_response_has_the_security_headers(signed_in, path):
    response = signed_in.get(path)
    for header in SECURITY_HEADERS:
        assert response.headers.get(header), (path, header)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_public_page_keeps_its_own_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "connect-src 'self' http://localhost:5005 ws://localhost:5005" in policy


def test_the_login_page_has_the_security_headers(client):
    response = client.get("/desk/login")
    assert all(response.headers.get(header) for header in SECURITY_HEADERS)


def test_a_session_cookie_kept_from_before_sign_out_no_longer_works(app, signed_in):
    cookie = signed_in.get_cookie("almere_desk_session").value
    signed_in.post("/desk/logout", data={"csrf_token": csrf_token(signed_in, "/desk/")})

    replay = app.test_client()
    replay.set_cookie("almere_desk_session", cookie)
    assert replay.get("/desk/api/tickets").status_code == 401
    assert replay.get("/desk/").status_code == 302

    assert sign_in(replay).status_code == 302  # signing in again works
    assert replay.get("/desk/api/tickets").status_code == 200


def test_one_address_cannot_try_many_usernames(make_app, staff):
    client = make_app({"ALMERE_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS": "4"}).test_client()
    for name in ("anna", "bob", "carla", "dirk"):
        assert sign_in(client, username=name).status_code == 401
    limited = sign_in(client, username="erik")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert sign_in(client).status_code == 429  # even the right password waits
    other_address = client.post(
        "/desk/login",
        data={"username": "jan", "password": PASSWORD, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other_address.status_code == 302


@pytest.mark.parametrize(
    "target", ["/desk/%0d%0aSet-Cookie:%20x=1", "/desk/%0aLocation:%20//evil", "/desk/\\evil", "/desk/%09"]
)
def test_a_next_with_control_characters_goes_to_the_queue(client, staff, target):
    response = sign_in(client, path=f"/desk/login?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/desk/"


def test_a_next_with_control_characters_when_already_signed_in(signed_in):
    response = signed_in.get("/desk/login?next=/desk/%0d%0aX:%20y")
    assert response.status_code == 302 and response.headers["Location"] == "/desk/"


DEEP = "[" * 20_000 + "]" * 20_000


@pytest.mark.parametrize("path", ["/desk/login", "/desk/api/tickets", "/desk/logout", "/"])
def test_a_deeply_nested_json_body_is_a_4xx(signed_in, services, path):
    headers = {"X-CSRFToken": csrf_token(signed_in, "/desk/")}  # so that the body is what is checked
    for target in (path, f"/desk/tickets/{make_ticket(services.tickets)}/notes"):
        response = signed_in.post(target, data=DEEP, content_type="application/json", headers=headers)
        assert 400 <= response.status_code < 500, (target, response.status_code)
