"""Customers over REST."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.auth import StaffActor
from api.deps import SessionDep
from api.pages import PageOut, page_out
from domain.customers import service
from domain.customers.schemas import CustomerCreate, CustomerPublic, CustomerUpdate
from domain.storable import PageNumber, RowId, Text

router = APIRouter(prefix="/customers", tags=["customers"])


@router.get("", response_model=PageOut[CustomerPublic])
def list_customers(
    _reader: StaffActor,
    session: SessionDep,
    # Annotated: with `= Query(...)` FastAPI drops the type's own validator.
    q: Annotated[Text, Query(max_length=200, description="name, email or phone digits")] = "",
    page: PageNumber = 1,
    per_page: int = Query(default=25, ge=1, le=200),
) -> PageOut[CustomerPublic]:
    return page_out(service.search(session, q, page, per_page), CustomerPublic)


@router.post("", response_model=CustomerPublic, status_code=status.HTTP_201_CREATED)
def create_customer(actor: StaffActor, session: SessionDep, data: CustomerCreate) -> CustomerPublic:
    return CustomerPublic.model_validate(service.create(session, data, actor))


@router.get("/{customer_id}", response_model=CustomerPublic)
def get_customer(_reader: StaffActor, session: SessionDep, customer_id: RowId) -> CustomerPublic:
    return CustomerPublic.model_validate(service.get(session, customer_id))


@router.patch("/{customer_id}", response_model=CustomerPublic)
def update_customer(
    actor: StaffActor, session: SessionDep, customer_id: RowId, data: CustomerUpdate
) -> CustomerPublic:
    return CustomerPublic.model_validate(service.update(session, customer_id, data, actor))
