"""Logging pieces the settings name."""

from __future__ import annotations

import logging


class OneLineClientErrors(logging.Filter):
    """A refused request (403, 404, 400 …) is the client's doing: one line, no traceback.

    Django logs a PermissionDenied or Http404 with its exception attached, which printed
    a full traceback for every 403. Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
