"""Typed API errors.  Each class carries the ``code`` of protocol.md §5 item 2.

Handlers raise these, and so do the protocol checks.  ``rpc.HandlerTable.dispatch``
turns a handler's error into the ``MusicDB:Error`` / ``onError`` notification for the
sender; the connection does the same for a packet refused before dispatch.
"""


class ApiError(Exception):
    """Base of every error a client can cause; ``str(error)`` is the message sent."""

    code = "InternalError"


class InvalidJSON(ApiError):
    code = "InvalidJSON"


class InvalidPacket(ApiError):
    code = "InvalidPacket"


class BinaryMessage(ApiError):
    code = "BinaryMessage"


class InvalidAPIKey(ApiError):
    code = "InvalidAPIKey"


class UnknownMethod(ApiError):
    code = "UnknownMethod"


class UnknownFunction(ApiError):
    code = "UnknownFunction"


class InvalidArguments(ApiError):
    code = "InvalidArguments"


class NotFound(ApiError):
    code = "NotFound"


class InternalError(ApiError):
    code = "InternalError"
