"""The voice assistant's speech, against the sandbox emulator (`POST /sandbox/calls/{sid}/speech`).

Production speech is not built yet: it needs a media-stream / text-to-speech vendor attached to
the RingCentral call (RingCentral's REST Call Control moves calls but does not speak on them).
Until then this records what would be said, so tests and the demo can check it and its timing.
"""

from __future__ import annotations

import httpx

from integrations.errors import ProviderRejectedError, ProviderTransientError

PROVIDER = "sandbox-voice"


class SandboxVoice:
    def __init__(self, base_url: str, timeout: float) -> None:
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    def say(self, session_id: str, text: str) -> None:
        try:
            response = httpx.post(
                f"{self._base_url}/sandbox/calls/{session_id}/speech",
                json={"text": text},
                timeout=self._timeout,
            )
        except httpx.HTTPError as error:
            raise ProviderTransientError(
                PROVIDER, f"no response ({type(error).__name__}: {error})"
            ) from error
        status = response.status_code
        if status < 300:
            return
        message = _message(response)
        if status in (408, 429) or status >= 500:
            retry_after = response.headers.get("Retry-After", "")
            raise ProviderTransientError(
                PROVIDER,
                f"HTTP {status}: {message}",
                status=status,
                retry_after=float(retry_after) if retry_after.isdigit() else None,
            )
        raise ProviderRejectedError(PROVIDER, f"HTTP {status}: {message}", status=status)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("detail") or body)[:200]
    return str(body)[:200]
