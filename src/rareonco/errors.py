"""The one error family of RareOnco.

Domain code raises these; the web layer turns them into HTTP responses in one place
(`rareonco.web.error_handlers`) and the CLI into a message and exit status 2.
"""

from __future__ import annotations


class RareOncoError(Exception):
    """Base class of every error the platform raises on purpose."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": self.message}


class InvalidInput(RareOncoError, ValueError):
    """A value that cannot be accepted: names the field and the reason."""

    status_code = 422

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def to_dict(self) -> dict[str, object]:
        return {"error": self.reason, "field": self.field}


class NotFound(RareOncoError, LookupError):
    status_code = 404


class Conflict(RareOncoError):
    """The request clashes with the current state (stale version, illegal transition, duplicate)."""

    status_code = 409

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details

    def to_dict(self) -> dict[str, object]:
        return {"error": self.message, **self.details}


class Unauthenticated(RareOncoError):
    status_code = 401


class Forbidden(RareOncoError, PermissionError):
    status_code = 403


class TooManyRequests(RareOncoError):
    """A client went over a rate limit; `retry_after_s` says when it may try again."""

    status_code = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s

    def to_dict(self) -> dict[str, object]:
        return {"error": self.message, "retry_after_s": self.retry_after_s}
