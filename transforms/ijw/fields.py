"""Typed reading of iJw field values. Each reader returns the value or a Rejection, never raises. The offending
value is handed to the Rejection as read: it masks it itself (jeugdmonitor.transforms.masking)."""

from __future__ import annotations

from datetime import date

from jeugdmonitor.transforms.bsn import is_valid_bsn
from jeugdmonitor.transforms.reasons import Rejection, rejection


class Invalid(Exception):
    def __init__(self, rejection_: Rejection):
        self.rejection = rejection_


# Each reader tries the common case first and leaves the error handling to the slow path: they run for every
# field of every record of a national year (some 200 million values).


def required(values: dict[str, str], field: str, line: int, key: str | None) -> str:
    if value := values.get(field):
        return value
    raise Invalid(rejection("missing_field", line=line, record_key=key, field=field))


def ijw_date(values: dict[str, str], field: str, line: int, key: str | None) -> date:
    text = values.get(field)
    if text and len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Invalid(
                rejection("date_invalid", line=line, record_key=key, field=field, value_masked=text)
            ) from None
    text = required(values, field, line, key)
    if len(text) > 10 and (text.endswith("Z") or "+" in text[10:] or "-" in text[10:]):
        raise Invalid(rejection("date_timezone", line=line, record_key=key, field=field, value_masked=text))
    raise Invalid(rejection("date_invalid", line=line, record_key=key, field=field, value_masked=text))


def integer(values: dict[str, str], field: str, line: int, key: str | None) -> int:
    text = values.get(field)
    if text and text.isdigit() and text.isascii():  # int() would take other scripts' digits too
        return int(text)
    text = required(values, field, line, key)
    raise Invalid(rejection("number_invalid", line=line, record_key=key, field=field, value_masked=text))


def code(values: dict[str, str], field: str, line: int, key: str | None, allowed: frozenset[str]) -> str:
    text = values.get(field)
    if text in allowed:
        return text
    text = required(values, field, line, key)
    raise Invalid(rejection("code_invalid", line=line, record_key=key, field=field, value_masked=text))


def bsn(value: str | None, field: str, line: int, key: str | None) -> str:
    if not value:
        raise Invalid(rejection("missing_field", line=line, record_key=key, field=field))
    if not is_valid_bsn(value):
        raise Invalid(rejection("bsn_invalid", line=line, record_key=key, field=field, value_masked=value))
    return value


def period(begin: date, end: date, field: str, line: int, key: str | None) -> None:
    if end < begin:
        raise Invalid(
            rejection(
                "period_reversed",
                line=line,
                record_key=key,
                field=field,
                value_masked=f"{begin.isoformat()}..{end.isoformat()}",
            )
        )
