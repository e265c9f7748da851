"""One error base class carrying its HTTP status; services raise these, the API renders them."""

from __future__ import annotations


class TeppanError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(TeppanError):
    status_code = 404
    code = "not_found"


class ConflictError(TeppanError):
    status_code = 409
    code = "conflict"


class ValidationFailed(TeppanError):
    status_code = 422
    code = "invalid"


class PermissionDenied(TeppanError):
    status_code = 403
    code = "forbidden"
