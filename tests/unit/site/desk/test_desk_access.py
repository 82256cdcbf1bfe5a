"""Who may use the desk: sign-in, anonymous refusal, CSRF, rate limit, cookies, secret key."""

from __future__ import annotations

import re
import stat

import pytest
from desk_helpers import PASSWORD, csrf_token, make_ticket, sign_in

# Every other desk route, present and future, must refuse anonymous users (the public page's
# routes, outside /desk, are public by design).
PUBLIC_ENDPOINTS = {"auth.login", "desk.static"}
# Everything outside /desk/, which anyone may use: the public page, its statements and files, and the
# rating question (the signed token in it is the only authorisation it needs).
PUBLIC_SITE_ENDPOINTS = {
    "web.index",
    "web.privacy",
    "web.accessibility",
    "web.static",
    # The chat widget's loader and its texts and settings, for pages of the allowed origins.
    "web.widget_loader",
    "web.widget_config",
    "feedback.submit_json",
    "feedback.question",
    "feedback.answer_page",
    "answer_feedback.vote",
    # A conversation's log for its signed session token (the token is the only credential).
    "widget_history.history",
    # Counts for Prometheus, no personal data; the public proxy refuses it (test_metrics_not_public.py).
    "metrics.serve",
}


def desk_url(rule: str, reference: str) -> str:
    """The rule with its variables filled in: the ticket's reference, 1 for a number."""
    url = re.sub(r"<int:\w+>", "1", rule.replace("<reference>", reference))
    assert "<" not in url, f"the route walk does not know how to fill in {rule}"
    return url


def test_every_desk_route_refuses_anonymous_users(app, client, services):
    reference = make_ticket(services.tickets)
    token = csrf_token(client)  # a valid token, so only the missing sign-in can refuse
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or not rule.rule.startswith("/desk/"):
            continue
        url = desk_url(rule.rule, reference)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            if url.startswith("/desk/api/"):
                assert response.status_code == 401, (method, url)
                assert response.is_json, url
            else:
                assert response.status_code == 302, (method, url)
                assert response.headers["Location"].startswith("/desk/login"), url
            checked += 1
    assert checked >= 12
    ticket = services.tickets.get(reference)
    assert (ticket.status, ticket.replies) == ("open", ())


def test_only_the_public_page_and_the_rating_question_are_outside_the_desk(app):
    outside = {rule.endpoint for rule in app.url_map.iter_rules() if not rule.rule.startswith("/desk/")}
    assert outside == PUBLIC_SITE_ENDPOINTS


def test_login_page_and_stylesheet_are_public(client):
    assert client.get("/desk/login").status_code == 200
    with client.get("/desk/static/desk.css") as response:
        assert response.status_code == 200 and b"font-family" in response.data


def test_anonymous_page_request_remembers_where_to_go(client, staff, services):
    reference = make_ticket(services.tickets)
    response = client.get(f"/desk/tickets/{reference}")
    assert response.headers["Location"] == f"/desk/login?next=/desk/tickets/{reference}"

    response = sign_in(client, path=response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == f"/desk/tickets/{reference}"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/desk/", "/elsewhere"])
def test_sign_in_never_redirects_off_the_desk(client, staff, target):
    response = sign_in(client, path=f"/desk/login?next={target}")
    assert response.headers["Location"] == "/desk/"


def test_sign_in_success_and_failure(client, staff):
    failed = sign_in(client, password="wrong password")
    assert failed.status_code == 401
    assert "Unknown username or wrong password." in failed.get_data(as_text=True)
    unknown = sign_in(client, username="nobody")
    assert unknown.status_code == 401

    assert sign_in(client, username="  JAN ").status_code == 302
    page = client.get("/desk/").get_data(as_text=True)
    assert "Signed in as <strong>jan</strong>" in page


def test_empty_sign_in_form_is_a_400_with_a_message(client):
    response = client.post("/desk/login", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "Enter your username." in response.get_data(as_text=True)


def test_sign_out_ends_the_session(signed_in):
    response = signed_in.post("/desk/logout", data={"csrf_token": csrf_token(signed_in, "/desk/")})
    assert response.headers["Location"] == "/desk/login"
    assert signed_in.get("/desk/").status_code == 302


def test_posts_without_csrf_token_are_refused(client, staff, services):
    assert client.post("/desk/login", data={"username": "jan", "password": PASSWORD}).status_code == 400
    reference = make_ticket(services.tickets)
    sign_in(client)

    response = client.post(f"/desk/tickets/{reference}/claim")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    wrong = client.post(f"/desk/tickets/{reference}/resolve", data={"csrf_token": "forged"})
    assert wrong.status_code == 400
    assert services.tickets.get(reference).status == "open"


def test_sign_in_attempts_are_limited_per_username_and_address(client, staff):
    for _ in range(3):
        assert sign_in(client, password="wrong password").status_code == 401

    limited = sign_in(client)  # even the right password waits
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert "Please wait" in limited.get_data(as_text=True)

    assert sign_in(client, username="piet").status_code == 401  # other usernames unaffected
    other_address = client.post(
        "/desk/login",
        data={"username": "jan", "password": PASSWORD, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other_address.status_code == 302


def test_successful_sign_in_resets_the_count(app, client, staff):
    for _ in range(2):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 302
    other_browser = app.test_client()  # same address, signed out
    for _ in range(3):
        assert sign_in(other_browser, password="wrong password").status_code == 401


def _session_cookie(response) -> str:
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if "almere_desk_session" in c]
    return cookie


def test_session_cookie_flags(client, staff):
    cookie = _session_cookie(sign_in(client))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(make_app, staff):
    client = make_app({"ALMERE_COOKIE_SECURE": "true"}).test_client()
    assert "Secure" in _session_cookie(sign_in(client))


def test_generated_secret_key_is_kept_so_sessions_survive_a_restart(make_app, tmp_path, staff):
    key_file = tmp_path / "var" / "desk_secret_key"
    first = make_app(config={"SECRET_KEY": None})
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    client = first.test_client()
    sign_in(client)

    restarted = make_app(config={"SECRET_KEY": None})
    assert restarted.secret_key == first.secret_key == key_file.read_text().strip()
    cookie = client.get_cookie("almere_desk_session")
    again = restarted.test_client()
    again.set_cookie(cookie.key, cookie.value)
    assert again.get("/desk/").status_code == 200
