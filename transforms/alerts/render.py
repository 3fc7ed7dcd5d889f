"""A composed digest as an e-mail (plain text, HTML and a CSV of everything), a Teams Adaptive Card for a Workflows
webhook, and Slack blocks. Each channel is cut to fit its limits, with "en N meer" and where the rest is. Pure.

Limits (docs/alerts.md#channels): a Teams message posted by a workflow ("When a Teams webhook request is received")
fails above about 28 KB; Slack takes at most 50 blocks, 3,000 characters in a section text and 150 in a header.
Sizes are measured as sent: UTF-8 JSON (`payload_bytes`, the encoding `channels.post_webhook` uses).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from jeugdmonitor.transforms.alerts.compose import Composed, Entry
from jeugdmonitor.transforms.alerts.model import SEVERITIES
from jeugdmonitor.transforms.alerts.texts import SEVERITY_LABEL, datum, meervoud

SEVERITY_GROUP = {"fail": "FOUTEN", "warn": "WAARSCHUWINGEN", "info": "TER INFORMATIE"}
TEAMS_MAX_BYTES = 24_000  # the workflow's post fails above about 28 KB; the card grows a little in Teams' hands
SLACK_MAX_BLOCKS = 50
SLACK_MAX_SECTION = 3_000
SLACK_MAX_HEADER = 150
SLACK_MAX_BYTES = 36_000  # Slack cuts a message's text at 40,000 characters
FIELD_MAX = 1_200  # one field of one item: an SQL query or a list of files is cut here
RESOLUTIONS_SHOWN = 10  # in a webhook message; the e-mail shows them all
CSV_NAME = "meldingen.csv"
CSV_COLUMNS = (
    "ernst",
    "status",
    "groep",
    "regel",
    "gemeentecode",
    "aanbieder_agb",
    "wat",
    "hoe_groot",
    "sinds",
    "wat_te_doen",
    "bewijs",
)


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str
    attachment: str | None  # CSV of every item, when the digest had more than it shows


def payload_bytes(payload: dict) -> int:
    return len(encode(payload))


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def short(value: str, limit: int = FIELD_MAX) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def subject(composed: Composed, regio: str) -> str:
    every = composed.entries + composed.rest
    counts = {s: sum(e.severity == s for e in every) for s in SEVERITIES}
    parts = [f"{n} {SEVERITY_LABEL[s].lower()}{'en' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n]
    if composed.resolutions:
        parts.append(f"{len(composed.resolutions)} opgelost")
    return f"Jeugdmonitor {regio}: {', '.join(parts)}"


def _more(composed: Composed, shown: int) -> str | None:
    rest = composed.total - shown
    return f"En {meervoud(rest, 'punt', 'punten')} meer: {composed.elders}." if rest > 0 else None


def _intro(naam: str, regio: str, peildatum) -> str:
    return (
        f"Dit is het overzicht van de jeugdmonitor {regio} van {datum(peildatum)} voor {naam}. Het bevat alleen wat "
        f"nieuw of veranderd is sinds het vorige bericht, het belangrijkste eerst."
    )


FOOTER = (
    "Dit bericht is automatisch gemaakt door de jeugdmonitor en bevat geen persoonsgegevens. Hetzelfde punt wordt "
    "pas opnieuw gemeld als het verandert."
)


def _title(entry: Entry) -> str:
    return entry.wat + (" (gewijzigd)" if entry.label == "gewijzigd" else "")


def text(composed: Composed, naam: str, regio: str, peildatum, run_id: str) -> str:
    lines = [f"Beste {naam},", "", _intro(naam, regio, peildatum), ""]
    number = 0
    for severity in SEVERITIES:
        items = [e for e in composed.entries if e.severity == severity]
        if not items:
            continue
        lines += [f"{SEVERITY_GROUP[severity]} ({len(items)})", ""]
        group = ""
        for entry in items:
            if entry.group and entry.group != group:
                group = entry.group
                lines += [f"{group}:", ""]
            number += 1
            lines += [
                f"{number}. {short(_title(entry))}",
                f"   Hoe groot: {short(entry.hoe_groot)}",
                f"   Sinds: {entry.sinds}",
                f"   Wat te doen: {short(entry.wat_te_doen)}",
                f"   Bewijs: {short(entry.bewijs)}",
                "",
            ]
    if more := _more(composed, len(composed.entries)):
        lines += [more, ""]
    if composed.nog_steeds:
        lines += [composed.nog_steeds, ""]
    if composed.resolutions:
        lines += [f"OPGELOST ({len(composed.resolutions)})", ""]
        lines += [f"- {short(r.wat)} (gemeld op {r.sinds}): dit is nu opgelost." for r in composed.resolutions]
        lines.append("")
    lines += [FOOTER, f"Run: {run_id}"]
    return "\n".join(lines) + "\n"


def _html(composed: Composed, naam: str, regio: str, peildatum, run_id: str) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'></head><body style='font-family:sans-serif'>",
        f"<p>Beste {e(naam)},</p><p>{e(_intro(naam, regio, peildatum))}</p>",
    ]
    for severity in SEVERITIES:
        items = [x for x in composed.entries if x.severity == severity]
        if not items:
            continue
        parts.append(f"<h2>{e(SEVERITY_GROUP[severity].capitalize())} ({len(items)})</h2>")
        group = ""
        for entry in items:
            if entry.group and entry.group != group:
                group = entry.group
                parts.append(f"<h3>{e(group)}</h3>")
            bewijs = e(short(entry.bewijs))
            if entry.bewijs.startswith("zie http"):
                url = e(entry.bewijs[4:])
                bewijs = f"zie <a href='{url}'>{url}</a>"
            parts.append(
                f"<p><b>{e(short(_title(entry)))}</b><br>Hoe groot: {e(short(entry.hoe_groot))}<br>Sinds: "
                f"{e(entry.sinds)}<br>Wat te doen: {e(short(entry.wat_te_doen))}<br>Bewijs: {bewijs}</p>"
            )
    if more := _more(composed, len(composed.entries)):
        parts.append(f"<p><b>{e(more)}</b></p>")
    if composed.nog_steeds:
        parts.append(f"<p>{e(composed.nog_steeds)}</p>")
    if composed.resolutions:
        parts.append(f"<h2>Opgelost ({len(composed.resolutions)})</h2><ul>")
        parts += [f"<li>{e(short(r.wat))} (gemeld op {e(r.sinds)})</li>" for r in composed.resolutions]
        parts.append("</ul>")
    parts.append(f"<p style='color:#666'>{e(FOOTER)}<br>Run: {e(run_id)}</p></body></html>")
    return "".join(parts)


def _cell(value: str) -> str:
    # a spreadsheet would run a cell that starts like a formula
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def table(composed: Composed) -> str:
    """Every item of the digest, one row per alert: the attachment of an e-mail that could not show them all."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in composed.entries + composed.rest:
        for a in entry.alerts:
            bewijs = entry.bewijs if entry.bewijs.startswith("zie ") else a.bewijs  # the data role: its SQL
            row = (
                SEVERITY_LABEL[a.severity],
                entry.label,
                entry.group,
                a.rule,
                a.gemeentecode or "",
                a.aanbieder or "",
                a.wat,
                a.hoe_groot,
                a.sinds,
                a.wat_te_doen,
                bewijs,
            )
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def mail(composed: Composed, naam: str, regio: str, peildatum, run_id: str, attach: bool = False) -> Mail:
    """With `attach` (the data role: every file reference of every alert) the CSV is attached even when the
    e-mail shows every item."""
    return Mail(
        subject(composed, regio),
        text(composed, naam, regio, peildatum, run_id),
        _html(composed, naam, regio, peildatum, run_id),
        table(composed) if composed.rest or attach else None,
    )


@dataclass(frozen=True)
class Fitted:
    payload: dict
    shown: int  # how many of the composed entries it carries (the rest is counted in its "En N punten meer")


def _fit(build: Callable[[int], dict], n: int, fits: Callable[[dict], bool]) -> Fitted:
    """The payload with the most items (of the first n) that fits: a binary search over the count."""
    low, high = 0, n
    while low < high:
        mid = (low + high + 1) // 2
        if fits(build(mid)):
            low = mid
        else:
            high = mid - 1
    return Fitted(build(low), low)


TEAMS_STYLE = {"fail": "attention", "warn": "warning", "info": "accent"}


def teams(composed: Composed, naam: str, regio: str, peildatum, run_id: str) -> Fitted:
    """An Adaptive Card (1.4) in the message a Teams Workflows webhook takes."""
    title = subject(composed, regio)

    def build(k: int) -> dict:
        body: list[dict] = [
            {"type": "TextBlock", "text": title, "size": "Medium", "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": _intro(naam, regio, peildatum), "wrap": True, "isSubtle": True},
        ]
        group = ""
        for entry in composed.entries[:k]:
            if entry.group and entry.group != group:
                group = entry.group
                body.append({"type": "TextBlock", "text": group, "weight": "Bolder", "wrap": True, "separator": True})
            body.append(
                {
                    "type": "Container",
                    "style": TEAMS_STYLE[entry.severity],
                    "separator": True,
                    "items": [
                        {
                            "type": "TextBlock",
                            "text": f"**{SEVERITY_LABEL[entry.severity]}**: {short(_title(entry))}",
                            "wrap": True,
                        },
                        {
                            "type": "FactSet",
                            "facts": [
                                {"title": "Hoe groot", "value": short(entry.hoe_groot)},
                                {"title": "Sinds", "value": entry.sinds},
                                {"title": "Wat te doen", "value": short(entry.wat_te_doen)},
                                {"title": "Bewijs", "value": short(entry.bewijs)},
                            ],
                        },
                    ],
                }
            )
        tail = [_more(composed, k), composed.nog_steeds]
        if composed.resolutions:
            shown = composed.resolutions[:RESOLUTIONS_SHOWN]
            lines = [f"- {short(r.wat, 300)} (gemeld op {r.sinds})" for r in shown]
            if len(composed.resolutions) > len(shown):
                lines.append(f"- en {len(composed.resolutions) - len(shown)} meer")
            tail.append(f"**Opgelost ({len(composed.resolutions)})**\n\n" + "\n".join(lines))
        tail.append(f"{FOOTER} Run: {run_id}")
        body += [{"type": "TextBlock", "text": t, "wrap": True, "separator": True} for t in tail if t]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "msteams": {"width": "Full"},
            "body": body,
        }
        return {
            "type": "message",
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
        }

    return _fit(build, len(composed.entries), lambda p: payload_bytes(p) <= TEAMS_MAX_BYTES)


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": short(text, SLACK_MAX_SECTION)}}


def slack(composed: Composed, naam: str, regio: str, peildatum, run_id: str) -> Fitted:
    """A Slack message: `text` is the notification fallback, the blocks carry the items."""
    title = subject(composed, regio)

    def build(k: int) -> dict:
        blocks: list[dict] = [
            {"type": "header", "text": {"type": "plain_text", "text": short(title, SLACK_MAX_HEADER)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": _intro(naam, regio, peildatum)}]},
        ]
        group = ""
        for entry in composed.entries[:k]:
            if entry.group and entry.group != group:
                group = entry.group
                blocks.append(_section(f"*{group}*"))
            blocks.append(
                _section(
                    f"*{SEVERITY_LABEL[entry.severity]}*: {short(_title(entry))}\n*Hoe groot:* "
                    f"{short(entry.hoe_groot)}\n*Sinds:* {entry.sinds}\n*Wat te doen:* {short(entry.wat_te_doen)}\n"
                    f"*Bewijs:* {short(entry.bewijs)}"
                )
            )
        for extra in (_more(composed, k), composed.nog_steeds):
            if extra:
                blocks.append(_section(extra))
        if composed.resolutions:
            shown = composed.resolutions[:RESOLUTIONS_SHOWN]
            lines = [f"• {short(r.wat, 250)} (gemeld op {r.sinds})" for r in shown]
            if len(composed.resolutions) > len(shown):
                lines.append(f"• en {len(composed.resolutions) - len(shown)} meer")
            blocks.append(_section(f"*Opgelost ({len(composed.resolutions)})*\n" + "\n".join(lines)))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"{FOOTER} Run: {run_id}"}]})
        return {"text": title, "blocks": blocks}

    def fits(payload: dict) -> bool:
        return len(payload["blocks"]) <= SLACK_MAX_BLOCKS and payload_bytes(payload) <= SLACK_MAX_BYTES

    return _fit(build, len(composed.entries), fits)


def teams_notice(title: str, body: str) -> dict:
    """A plain message (the run notice, a delivery given up) as an Adaptive Card for a Teams Workflows webhook."""
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "size": "Medium", "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": short(body, 20_000), "wrap": True},
        ],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }
