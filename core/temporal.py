"""The Temporal client, configured from settings, so the same code runs on the embedded dev
server, a self-hosted cluster or Temporal Cloud."""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError

from core.settings import Settings

log = logging.getLogger(__name__)


async def connect_temporal(settings: Settings) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        tls=settings.temporal_tls or api_key is not None,
        api_key=api_key,
        data_converter=pydantic_data_converter,
    )


class TemporalGateway:
    """A client that connects lazily and reconnects, for processes that must start while
    Temporal is down (the API accepts webhooks regardless)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def connected(cls, settings: Settings, client: Client) -> TemporalGateway:
        """A gateway over a client already connected (a worker's own, a test environment's)."""
        gateway = cls(settings)
        gateway._client = client
        return gateway

    async def client(self) -> Client:
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                self._client = await asyncio.wait_for(connect_temporal(self._settings), timeout=5)
            return self._client

    async def is_reachable(self) -> bool:
        try:
            client = await self.client()
            await asyncio.wait_for(client.service_client.check_health(), timeout=2)
        except (RPCError, RuntimeError, OSError, TimeoutError) as error:
            log.debug("Temporal unreachable: %s", error)
            return False
        return True
