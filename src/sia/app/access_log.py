"""Logging of ``sia serve``: warnings only, plus uvicorn's access log with ``--access-log``.

Invitation links carry their secret in the path (``/invite/<token>``); the access log shows ``<token>``
instead, so a log file grants no one a participant's access.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

INVITATION_PATH = re.compile(r"(/invite/)[^/?#\s\"]+")


class RedactInvitationTokens(logging.Filter):
    """Replace the token of ``/invite/<token>`` paths in uvicorn's access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(INVITATION_PATH.sub(r"\1<token>", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def log_config(access_log: bool) -> dict[str, Any]:
    """uvicorn's logging configuration with ``uvicorn.error`` at WARNING and ``uvicorn.access`` at INFO when
    ``access_log`` (WARNING otherwise), the access records passed through :class:`RedactInvitationTokens`.

    Pass it with ``log_level=None``: a ``log_level`` would set the access logger to that level too, and at
    ``warning`` uvicorn's access lines (INFO) are all dropped.
    """
    from uvicorn.config import LOGGING_CONFIG

    cfg = copy.deepcopy(LOGGING_CONFIG)
    cfg["loggers"]["uvicorn.error"]["level"] = "WARNING"
    cfg["loggers"]["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    cfg.setdefault("filters", {})["redact_invitations"] = {"()": f"{__name__}.RedactInvitationTokens"}
    cfg["handlers"]["access"]["filters"] = ["redact_invitations"]
    return cfg
