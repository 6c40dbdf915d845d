"""Log records as JSON lines, each with the id of the request it belongs to.

`RequestLogMiddleware` sets the request id for the duration of a request; every record created
meanwhile (Django's, allauth's, Portico's) is stamped with it (`stamp_request_ids`, installed
when Django starts), so one id finds everything one request did. Anything shaped like one of
Portico's keys or tokens is masked in every line: a client may put one in a URL path, which
Django's own "Not Found: <path>" warning repeats.
"""

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime

from credentials.formats import BODY_LENGTH, CHECKSUM_LENGTH

REQUEST_ID: ContextVar[str | None] = ContextVar("portico_request_id", default=None)
# Every ptc_ kind and the public Client ID alike: a line never needs a whole value.
_CREDENTIAL_SHAPED = re.compile(
    rf"\b((?:ptc_[a-z]{{2}}|pci)_)[0-9A-Za-z]{{{BODY_LENGTH + CHECKSUM_LENGTH}}}\b"
)


def mask_credentials(text: str) -> str:
    return _CREDENTIAL_SHAPED.sub(r"\1[masked]", text)


def stamp_request_ids() -> None:
    """Give every log record the current request's id (None outside a request)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "stamps_request_ids", False):
        return

    def make_stamped_record(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    make_stamped_record.stamps_request_ids = True
    logging.setLogRecordFactory(make_stamped_record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and the record's
    `fields` (a dict passed as `extra={"fields": ...}`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return mask_credentials(json.dumps(line, default=str))


class TextFormatter(logging.Formatter):
    """Plain lines (development), masked like the JSON ones."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_credentials(super().format(record))
