"""Logging in and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from admin_ui.auth import SESSION_USER, AnyUser, PostedForm, flash, log_in, log_out
from admin_ui.web import engine_of, href, redirect, render, text_field
from api.login_throttle import client_address, login_throttle
from core.db import session_scope
from domain.accounts.rules import retry_after_seconds, too_many_failures_message
from domain.accounts.service import LoginFailed, authenticate

router = APIRouter()


def safe_next(request: Request, target: str) -> str:
    """Only a path inside the panel, so the login form cannot bounce people to another site."""
    home = href(request, "/")
    root = home.rstrip("/")
    if target.startswith(f"{root}/") and not target.startswith("//") and "\\" not in target:
        return target
    return home


@router.get("/login", name="login")
def login_page(request: Request, next: str = "") -> Response:
    if isinstance(request.session.get(SESSION_USER), int):
        return redirect(request, "/")
    return render(request, "login.html", {"next": safe_next(request, next), "email": ""})


@router.post("/login")
def login_submit(request: Request, form: PostedForm) -> Response:
    email = text_field(form, "email")
    password = form.get("password")
    target = safe_next(request, text_field(form, "next"))
    throttle = login_throttle(request)
    address = client_address(request)
    wait = throttle.wait_seconds(address)
    if wait is not None:
        page = render(
            request,
            "login.html",
            {"next": target, "email": email, "error": too_many_failures_message(wait)},
            status_code=429,
        )
        page.headers["Retry-After"] = str(retry_after_seconds(wait))
        return page
    error = ""
    # The failed-attempt counter must be committed too, so the failure is caught inside.
    with session_scope(engine_of(request)) as session:
        try:
            user = authenticate(session, email, password if isinstance(password, str) else "")
        except LoginFailed as failure:
            error = failure.message
    if error:
        throttle.record_failure(address)
        return render(
            request,
            "login.html",
            {"next": target, "email": email, "error": error},
            status_code=400,
        )
    log_in(request, user)
    return Response(status_code=303, headers={"location": target})


@router.post("/logout")
def logout(request: Request, _user: AnyUser, _form: PostedForm) -> Response:
    log_out(request)
    flash(request, "You are logged out.")
    return redirect(request, "/login")
