"""Customers over REST."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from api.deps import SessionDep
from api.pages import PageOut, page_out
from domain.audit.service import Actor
from domain.customers import service
from domain.customers.schemas import CustomerCreate, CustomerPublic, CustomerUpdate

router = APIRouter(prefix="/customers", tags=["customers"])

# Until API keys arrive (hardening issue), API changes are audited as the API itself.
API_ACTOR = Actor(key="api", name="API")


@router.get("", response_model=PageOut[CustomerPublic])
def list_customers(
    session: SessionDep,
    q: str = Query(default="", max_length=200, description="name, email or phone digits"),
    page: int = Query(default=1, ge=1),
    per_page: int = Query(default=25, ge=1, le=200),
) -> PageOut[CustomerPublic]:
    return page_out(service.search(session, q, page, per_page), CustomerPublic)


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(session: SessionDep, data: CustomerCreate) -> CustomerPublic:
    return CustomerPublic.model_validate(service.create(session, data, API_ACTOR))


@router.get("/{customer_id}", response_model=CustomerPublic)
def get_customer(session: SessionDep, customer_id: int) -> CustomerPublic:
    return CustomerPublic.model_validate(service.get(session, customer_id))


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(session: SessionDep, customer_id: int, data: CustomerUpdate) -> CustomerPublic:
    return CustomerPublic.model_validate(service.update(session, customer_id, data, API_ACTOR))
