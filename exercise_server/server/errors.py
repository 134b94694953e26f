"""HTTP refusals: a request the API refuses (its body, its parameters, its sender's rate), and their statuses."""

from __future__ import annotations

from ..core.errors import Refusal

# The HTTP status of each error code (the JSON body carries the code and the message).
HTTP_STATUS = {
    "invalid": 400,
    "bad_frame": 400,
    "forbidden": 403,
    "not_found": 404,
    "wrong_state": 409,
    "conflict": 409,
    "rate_limited": 429,
    "unavailable": 503,
    "internal": 500,
    "unknown_type": 400,
}


class RequestError(Refusal):
    """An HTTP request refused before any command is decided: answered with HTTP_STATUS[code]
    (and a Retry-After header when `retry_after` says when to try again)."""

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(code, message)
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.code, 400)
