"""What a platform call can fail with. Clients raise only these; every message names the
connection and has every secret masked (`base.scrub`).

    PlatformError                 base (a GatewayError): `connection`, `code`, `message`
    ├── PlatformAuthError         401/403, or no credential: stops that connection's sync
    ├── PlatformRefusedError      the platform said no (another 4xx); carries its status and code
    ├── PlatformUnavailableError  5xx, timeouts, connection errors after the retries; 429 too long
    ├── PlatformResponseError     the answer does not have the documented shape
    └── PlatformSetupError        the target is wrong: an option missing, an SDK extra not installed

`PlatformRefusedError` and `PlatformAuthError` are final; `PlatformUnavailableError` may succeed on
a later pass.
"""

from __future__ import annotations

from gateway.domain.exceptions import GatewayError
from gateway.platforms.base import scrub


class PlatformError(GatewayError):
    """A platform call failed."""

    code = "PLATFORM_ERROR"

    def __init__(self, connection: str, message: str) -> None:
        super().__init__(scrub(f"connection {connection!r}: {message}"))
        self.connection = connection


class PlatformAuthError(PlatformError):
    code = "PLATFORM_AUTH"


class PlatformRefusedError(PlatformError):
    code = "PLATFORM_REFUSED"

    def __init__(
        self,
        connection: str,
        message: str,
        *,
        status: int | None = None,
        platform_code: str | None = None,
    ) -> None:
        super().__init__(connection, message)
        self.status = status
        self.platform_code = scrub(platform_code) if platform_code else None


class PlatformUnavailableError(PlatformError):
    code = "PLATFORM_UNAVAILABLE"


class PlatformResponseError(PlatformError):
    code = "PLATFORM_RESPONSE"


class PlatformSetupError(PlatformError):
    code = "PLATFORM_SETUP"
