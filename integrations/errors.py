"""Provider errors split by what the caller should do about them.

Activities turn ``ProviderTransientError`` into a Temporal retry (honouring ``retry_after``)
and ``ProviderRejectedError`` into a non-retryable ``ApplicationError``: a request the
provider refused will be refused again.
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base for every error an adapter raises."""

    def __init__(self, provider: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{provider}: {message}")
        self.provider = provider
        self.message = message
        self.status = status


class ProviderTransientError(ProviderError):
    """Worth retrying: rate limits, 5xx, timeouts, connection failures."""

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message, status=status)
        self.retry_after = retry_after


class ProviderRejectedError(ProviderError):
    """The provider refused the request itself (4xx other than 429): retrying will not help."""
