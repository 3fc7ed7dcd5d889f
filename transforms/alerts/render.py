"""A digest as plain Dutch text (e-mail) and as Teams and Slack webhook payloads. Pure: no sending here."""

from __future__ import annotations

from dataclasses import dataclass

from jeugdmonitor.transforms.alerts.model import SEVERITIES
from jeugdmonitor.transforms.alerts.routing import Digest
from jeugdmonitor.transforms.alerts.texts import SEVERITY_LABEL, datum

SEVERITY_GROUP = {"fail": "FOUTEN", "warn": "WAARSCHUWINGEN", "info": "TER INFORMATIE"}
THEME = {"fail": "C4314B", "warn": "F2A900", "info": "0078D7", "opgelost": "2E8540"}
SLACK_MAX_BLOCKS = 50  # Slack refuses a message with more blocks


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def subject(digest: Digest, regio: str) -> str:
    counts = {s: sum(a.severity == s for a, _ in digest.items) for s in SEVERITIES}
    parts = [f"{n} {SEVERITY_LABEL[s].lower()}{'en' if n != 1 and s != 'info' else ''}" for s, n in counts.items() if n]
    if digest.resolutions:
        parts.append(f"{len(digest.resolutions)} opgelost")
    return f"Jeugdmonitor {regio}: {', '.join(parts)}"


def _item_lines(alert, label: str, number: int) -> list[str]:
    change = " (gewijzigd)" if label == "gewijzigd" else ""
    return [
        f"{number}. {alert.wat}{change}",
        f"   Hoe groot: {alert.hoe_groot}",
        f"   Sinds: {alert.sinds}",
        f"   Wat te doen: {alert.wat_te_doen}",
        f"   Bewijs: {alert.bewijs}",
        "",
    ]


def text(digest: Digest, regio: str, peildatum, run_id: str) -> Rendered:
    lines = [
        f"Beste {digest.recipient.naam},",
        "",
        f"Dit is het overzicht van de jeugdmonitor {regio} van {datum(peildatum)}. Het bevat alleen wat nieuw "
        f"of veranderd is sinds het vorige bericht.",
        "",
    ]
    number = 0
    for severity in SEVERITIES:
        items = [(a, label) for a, label in digest.items if a.severity == severity]
        if not items:
            continue
        lines += [f"{SEVERITY_GROUP[severity]} ({len(items)})", ""]
        for alert, label in items:
            number += 1
            lines += _item_lines(alert, label, number)
    if digest.resolutions:
        lines += [f"OPGELOST ({len(digest.resolutions)})", ""]
        lines += [f"- {r.wat} (gemeld op {r.sinds}): dit is nu opgelost." for r in digest.resolutions]
        lines.append("")
    lines += [
        "Dit bericht is automatisch gemaakt door de jeugdmonitor en bevat geen persoonsgegevens. Hetzelfde "
        "punt wordt pas opnieuw gemeld als het verandert.",
        f"Run: {run_id}",
    ]
    return Rendered(subject(digest, regio), "\n".join(lines) + "\n")


def teams(digest: Digest, regio: str, peildatum, run_id: str) -> dict:
    """An Office 365 connector MessageCard: one section per item, the facts as name/value pairs."""
    sections = []
    for alert, label in digest.items:
        sections.append(
            {
                "activityTitle": f"{SEVERITY_LABEL[alert.severity]}{' (gewijzigd)' if label == 'gewijzigd' else ''}",
                "text": alert.wat,
                "facts": [
                    {"name": "Hoe groot", "value": alert.hoe_groot},
                    {"name": "Sinds", "value": alert.sinds},
                    {"name": "Wat te doen", "value": alert.wat_te_doen},
                    {"name": "Bewijs", "value": alert.bewijs},
                ],
            }
        )
    for r in digest.resolutions:
        sections.append({"activityTitle": "Opgelost", "text": f"{r.wat} (gemeld op {r.sinds}): dit is nu opgelost."})
    worst = next((s for s in SEVERITIES if any(a.severity == s for a, _ in digest.items)), "opgelost")
    title = subject(digest, regio)
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": title,
        "themeColor": THEME[worst],
        "title": title,
        "text": f"Overzicht van {datum(peildatum)} voor {digest.recipient.naam} (run {run_id}).",
        "sections": sections,
    }


def slack(digest: Digest, regio: str, peildatum, run_id: str) -> dict:
    """A Slack message: `text` is the notification fallback, the blocks carry one section per item."""
    title = subject(digest, regio)
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title[:150]}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Overzicht van {datum(peildatum)} voor {digest.recipient.naam} (run {run_id})",
                }
            ],
        },
    ]
    for alert, label in digest.items:
        change = " (gewijzigd)" if label == "gewijzigd" else ""
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": (
                        f"*{SEVERITY_LABEL[alert.severity]}{change}*: {alert.wat}\n*Hoe groot:* {alert.hoe_groot}\n"
                        f"*Sinds:* {alert.sinds}\n*Wat te doen:* {alert.wat_te_doen}\n*Bewijs:* `{alert.bewijs}`"
                    )[:3000],
                },
            }
        )
    for r in digest.resolutions:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Opgelost*: {r.wat} (gemeld op {r.sinds})"[:3000]}}
        )
    if len(blocks) > SLACK_MAX_BLOCKS:
        rest = len(blocks) - SLACK_MAX_BLOCKS + 1
        blocks = blocks[: SLACK_MAX_BLOCKS - 1] + [
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": f"en nog {rest} punten: zie het e-mailoverzicht of `jeugdmonitor alerts preview`.",
                    }
                ],
            }
        ]
    return {"text": title, "blocks": blocks}
