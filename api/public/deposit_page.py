"""Where Stripe Checkout sends a customer back after paying (or not paying) a deposit.

The page only thanks them: the ledger changes when Stripe's signed webhook arrives, never on a
redirect anyone could type."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from api.deps import SessionDep
from domain.business import service as business

router = APIRouter(tags=["public"], include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _page(request: Request, session: SessionDep, reference: str, paid: bool) -> HTMLResponse:
    context = {
        "business_name": business.get_settings(session).name,
        "reference": reference[:20],
        "paid": paid,
    }
    return templates.TemplateResponse(request, "deposit.html", context)


@router.get("/deposit/{reference}/paid", response_class=HTMLResponse)
def deposit_paid(request: Request, session: SessionDep, reference: str) -> HTMLResponse:
    return _page(request, session, reference, paid=True)


@router.get("/deposit/{reference}/cancelled", response_class=HTMLResponse)
def deposit_cancelled(request: Request, session: SessionDep, reference: str) -> HTMLResponse:
    return _page(request, session, reference, paid=False)
