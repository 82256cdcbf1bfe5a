"""Signing staff in and out, and refusing everyone else."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from werkzeug.wrappers import Response

from bot.site.desk.forms import LoginForm
from bot.site.extension import services

bp = Blueprint("auth", __name__, url_prefix="/desk", template_folder="templates")

SESSION_KEY = "staff"
GENERATION_KEY = "generation"
PUBLIC_ENDPOINTS = frozenset({"auth.login", "desk.static"})


def current_staff() -> str | None:
    """The signed-in staff member's username, if any.

    The session cookie also carries the account's session generation, which signing out bumps
    in the database: a copy of the cookie kept from before is then refused.
    """
    if "staff" not in g:
        g.staff = None  # stays so if the check fails (an error page then shows no one signed in)
        username = session.get(SESSION_KEY)
        if username is not None:
            generation = services().accounts.session_generation(username)
            if generation is None or generation != session.get(GENERATION_KEY):
                session.clear()
                username = None
        g.staff = username
    return g.staff


def signed_in_staff() -> str:
    """The signed-in staff member's username, in a view that :func:`require_staff` let through."""
    staff = current_staff()
    assert staff is not None  # require_staff ran first
    return staff


def require_staff() -> Response | tuple | None:
    """Before every desk request: 401 (JSON) or a redirect to sign in when anonymous."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_staff():
        return None
    if request.path.startswith("/desk/api/"):
        return jsonify(error=gettext("Sign in to use the desk.")), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


bp.before_request(require_staff)


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on the desk, else the queue (no open redirects)."""
    if target and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/desk/"):
            return target
    return url_for("desk.queue")


def _login_page(form: LoginForm, status: int = 200, error: str | None = None):
    return render_template("desk/login.html", form=form, error=error), status


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        if current_staff():
            return redirect(safe_next(request.args.get("next")))
        return _login_page(form)

    site = services()
    address = request.remote_addr or ""
    key = ((request.form.get("username") or "").strip().lower(), address)
    # Per address (however many usernames it tries), then per account and address.
    for limiter, limited in ((site.address_limiter, address), (site.login_limiter, key)):
        if not limiter.try_acquire(limited):
            wait = limiter.retry_after(limited)
            page = render_template("desk/too_many_attempts.html", wait=wait)
            return page, 429, {"Retry-After": str(wait)}
    if not form.validate():
        return _login_page(form, 400)
    username = site.accounts.authenticate(form.username.data or "", form.password.data or "")
    if username is None:
        return _login_page(form, 401, gettext("Unknown username or wrong password."))
    site.login_limiter.reset(key)
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = username
    session[GENERATION_KEY] = site.accounts.session_generation(username)
    return redirect(safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, so no other site can do it) on every device."""
    services().accounts.end_sessions(signed_in_staff())
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))
