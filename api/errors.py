"""Every error answers JSON that says what was wrong."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException

from core.db import DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE, is_database_unavailable
from core.errors import TeppanError

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TeppanError)
    async def _teppan_error(_request: Request, error: TeppanError) -> JSONResponse:
        return JSONResponse(
            status_code=error.status_code,
            content={"error": {"code": error.code, "message": error.message}},
        )

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Request, error: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "error")
        return JSONResponse(
            status_code=error.status_code,
            content={"error": {"code": code, "message": str(error.detail)}},
            headers=error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(part) for part in problem["loc"] if part != "body"),
                "message": problem["msg"],
            }
            for problem in error.errors()
        ]
        summary = "; ".join(f"{p['field'] or 'body'}: {p['message']}" for p in problems)
        return JSONResponse(
            status_code=422,
            content={"error": {"code": "invalid", "message": summary, "problems": problems}},
        )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    async def _database_unavailable(_request: Request, error: Exception) -> JSONResponse:
        if not is_database_unavailable(error):
            raise error
        return JSONResponse(
            status_code=503,
            content={"error": {"code": "unavailable", "message": DATABASE_UNAVAILABLE}},
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
