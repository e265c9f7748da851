"""Retry policies shared by every workflow."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

DATABASE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30)
)
# Providers get longer back-off; Retry-After from the provider overrides the next delay.
PROVIDER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=20,
    non_retryable_error_types=["ProviderRejectedError"],
)
