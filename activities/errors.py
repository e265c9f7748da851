"""Turning provider errors into Temporal's retry decisions."""

from __future__ import annotations

from datetime import timedelta

from temporalio.exceptions import ApplicationError

from integrations.errors import ProviderRejectedError, ProviderTransientError


def retryable(error: ProviderTransientError) -> ApplicationError:
    """Retry, no sooner than the provider asked (Retry-After) when it said."""
    delay = timedelta(seconds=error.retry_after) if error.retry_after else None
    return ApplicationError(
        str(error), type="ProviderTransientError", non_retryable=False, next_retry_delay=delay
    )


def rejected(error: ProviderRejectedError) -> ApplicationError:
    return ApplicationError(str(error), type="ProviderRejectedError", non_retryable=True)
