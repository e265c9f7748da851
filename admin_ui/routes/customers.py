"""Customers: search, one customer's page, create (any role) and edit (manager and up)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData
from starlette.responses import Response

from admin_ui.auth import AnyUser, ManagerUser, PostedForm, actor_of, flash
from admin_ui.lookups import chef_names
from admin_ui.web import (
    business_timezone,
    engine_of,
    field_errors,
    page_links,
    redirect,
    render,
    text_field,
)
from core.db import session_scope
from core.errors import TeppanError
from domain.accounts.models import Role
from domain.bookings import service as bookings
from domain.customers import service as customers
from domain.customers.schemas import CustomerCreate, CustomerUpdate
from domain.messaging.models import Conversation, Message

router = APIRouter(prefix="/customers")

PER_PAGE = 25
RECENT_MESSAGES = 20


@router.get("", name="customers")
def customer_list(
    request: Request,
    _user: AnyUser,
    q: str = Query(default="", max_length=200),
    page: int = Query(default=1, ge=1),
) -> Response:
    with Session(engine_of(request)) as session:
        found = customers.search(session, q, page, PER_PAGE)
    return render(
        request,
        "customers/list.html",
        {"q": q, "result": found, "pages": page_links(request, found)},
    )


def _form_values(form: FormData) -> dict[str, Any]:
    return {
        "full_name": text_field(form, "full_name"),
        "phone": text_field(form, "phone") or None,
        "email": text_field(form, "email") or None,
        "sms_consent": form.get("sms_consent") == "on",
        "notes": text_field(form, "notes"),
    }


def _render_form(
    request: Request,
    values: dict[str, Any],
    customer_id: int | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
) -> Response:
    return render(
        request,
        "customers/form.html",
        {
            "values": values,
            "customer_id": customer_id,
            "errors": errors or {},
            "general": general or [],
        },
        status_code=400 if errors or general else 200,
    )


@router.get("/new")
def new_customer(request: Request, _user: AnyUser) -> Response:
    values = {"full_name": "", "phone": "", "email": "", "sms_consent": False, "notes": ""}
    return _render_form(request, values)


@router.post("/new")
def create_customer(request: Request, user: AnyUser, form: PostedForm) -> Response:
    values = _form_values(form)
    try:
        data = CustomerCreate(**values)
    except ValidationError as error:
        errors, general = field_errors(error)
        return _render_form(request, values, errors=errors, general=general)
    try:
        with session_scope(engine_of(request)) as session:
            customer = customers.create(session, data, actor_of(user))
    except TeppanError as error:
        return _render_form(request, values, general=[error.message])
    flash(request, f"Created customer {customer.full_name}.")
    return redirect(request, f"/customers/{customer.id}")


@router.get("/{customer_id}")
def customer_detail(request: Request, user: AnyUser, customer_id: int) -> Response:
    with Session(engine_of(request)) as session:
        customer = customers.get(session, customer_id)
        zone = business_timezone(session)
        their_bookings = bookings.search(session, customer_id=customer_id, per_page=100)
        conversation = session.exec(
            select(Conversation).where(Conversation.customer_id == customer_id)
        ).first()
        messages = (
            list(
                session.exec(
                    select(Message)
                    .where(Message.conversation_id == conversation.id)
                    .order_by(col(Message.created_at).desc(), col(Message.id).desc())
                    .limit(RECENT_MESSAGES)
                ).all()
            )
            if conversation is not None
            else []
        )
        chefs = chef_names(session, [b.chef_id for b in their_bookings.items])
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "timezone": zone,
            "bookings": their_bookings,
            "chefs": chefs,
            "messages": messages,
            "can_edit": user.has_role(Role.MANAGER),
        },
    )


@router.get("/{customer_id}/edit")
def edit_customer(request: Request, _user: ManagerUser, customer_id: int) -> Response:
    with Session(engine_of(request)) as session:
        customer = customers.get(session, customer_id)
    values = {
        "full_name": customer.full_name,
        "phone": customer.phone or "",
        "email": customer.email or "",
        "sms_consent": customer.sms_consent,
        "notes": customer.notes,
    }
    return _render_form(request, values, customer_id=customer_id)


@router.post("/{customer_id}/edit")
def update_customer(
    request: Request, user: ManagerUser, form: PostedForm, customer_id: int
) -> Response:
    values = _form_values(form)
    try:
        data = CustomerUpdate(**values)
    except ValidationError as error:
        errors, general = field_errors(error)
        return _render_form(request, values, customer_id, errors, general)
    try:
        with session_scope(engine_of(request)) as session:
            customer = customers.update(session, customer_id, data, actor_of(user))
    except TeppanError as error:
        return _render_form(request, values, customer_id, general=[error.message])
    flash(request, f"Saved {customer.full_name}.")
    return redirect(request, f"/customers/{customer_id}")
