"""Typed reading of iJw field values. Each reader returns the value or a Rejection, never raises."""

from __future__ import annotations

from datetime import date

from jeugdmonitor.bsn import is_valid_bsn, mask_bsn
from transforms.reasons import Rejection, rejection


class Invalid(Exception):
    def __init__(self, rejection_: Rejection):
        self.rejection = rejection_


def required(values: dict[str, str], field: str, line: int, key: str | None) -> str:
    value = values.get(field)
    if value is None or value == "":
        raise Invalid(rejection("missing_field", line=line, record_key=key, field=field))
    return value


def ijw_date(values: dict[str, str], field: str, line: int, key: str | None) -> date:
    text = required(values, field, line, key)
    if len(text) > 10 and (text.endswith("Z") or "+" in text[10:] or "-" in text[10:]):
        raise Invalid(rejection("date_timezone", line=line, record_key=key, field=field, value_masked=text))
    try:
        return date.fromisoformat(text) if len(text) == 10 else _bad_date(text)
    except ValueError:
        raise Invalid(rejection("date_invalid", line=line, record_key=key, field=field, value_masked=text)) from None


def _bad_date(text: str) -> date:
    raise ValueError(text)


def integer(values: dict[str, str], field: str, line: int, key: str | None, *, optional: bool = False) -> int | None:
    text = values.get(field)
    if optional and (text is None or text == ""):
        return None
    text = required(values, field, line, key)
    if not text.isdigit():
        raise Invalid(rejection("number_invalid", line=line, record_key=key, field=field, value_masked=text[:20]))
    return int(text)


def code(values: dict[str, str], field: str, line: int, key: str | None, allowed: frozenset[str]) -> str:
    text = required(values, field, line, key)
    if text not in allowed:
        raise Invalid(rejection("code_invalid", line=line, record_key=key, field=field, value_masked=text[:20]))
    return text


def bsn(value: str | None, field: str, line: int, key: str | None) -> str:
    if not value:
        raise Invalid(rejection("missing_field", line=line, record_key=key, field=field))
    if not is_valid_bsn(value):
        raise Invalid(rejection("bsn_invalid", line=line, record_key=key, field=field, value_masked=mask_bsn(value)))
    return value


def period(begin: date, end: date, field: str, line: int, key: str | None) -> None:
    if end < begin:
        raise Invalid(rejection("period_reversed", line=line, record_key=key, field=field,
                                value_masked=f"{begin.isoformat()}..{end.isoformat()}"))
