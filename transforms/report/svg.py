"""Charts as inline SVG, drawn here from the figures: a page needs no script, no font and no network to show them,
and prints as sharp vectors (docs/report.md says why this and not a chart library).

Two kinds are enough for the report: bars (grouped series per category, optionally a target line) and lines
(series over months). A value of None is a suppressed or undelivered cell: a bar is drawn hatched at full height
of the axis with its label ("onderdrukt", "niet geleverd"), a line breaks there; never a 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 58
COLOURS = ["#1f5f8b", "#e0873a", "#5a9e4b", "#8c5a9e", "#b03a48", "#6b6b6b"]
HATCH = (
    '<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>'
    "</pattern></defs>"
)


@dataclass
class Series:
    """One series: a label for the legend, a value per category (None: not shown, see `missing`)."""

    label: str
    values: list[float | None]
    # per category, why a value is None ("onderdrukt", "niet geleverd", "geen gegevens"); default "geen gegevens"
    missing: list[str] = field(default_factory=list)

    def why(self, i: int) -> str:
        return self.missing[i] if i < len(self.missing) and self.missing[i] else "geen gegevens"


def bar_chart(
    chart_id: str,
    title: str,
    categories: list[str],
    series: list[Series],
    *,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
) -> str:
    """Grouped vertical bars; a target as a dashed horizontal line."""
    top = _nice_top([v for s in series for v in s.values if v is not None] + ([target] if target else []))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(categories), 1)
    bar_w = min(40.0, slot * 0.8 / max(len(series), 1))
    parts = [_open(chart_id, title), HATCH.format(id=f"{chart_id}-h"), *_y_axis(top, unit)]
    for ci, category in enumerate(categories):
        x0 = LEFT + ci * slot + (slot - bar_w * len(series)) / 2
        for si, s in enumerate(series):
            x = x0 + si * bar_w
            value = s.values[ci] if ci < len(s.values) else None
            if value is None:
                parts.append(
                    f'<rect class="mark leeg" x="{x:.1f}" y="{TOP}" width="{bar_w - 2:.1f}" height="{plot_h}" '
                    f'fill="url(#{chart_id}-h)"><title>{escape(f"{s.label}, {category}: {s.why(ci)}")}</title></rect>'
                )
                parts.append(
                    f'<text class="leeg-label" x="{x + bar_w / 2 - 1:.1f}" y="{TOP + plot_h / 2:.1f}" '
                    f'transform="rotate(-90 {x + bar_w / 2 - 1:.1f} {TOP + plot_h / 2:.1f})" text-anchor="middle" '
                    f'font-size="9">{escape(s.why(ci))}</text>'
                )
                continue
            h = plot_h * max(value, 0) / top
            parts.append(
                f'<rect class="mark" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[si % len(COLOURS)]}"><title>{escape(f"{s.label}, {category}: {_fmt(value)}{unit}")}'
                "</title></rect>"
            )
        parts.append(_x_label(LEFT + ci * slot + slot / 2, category))
    if target:
        y = TOP + plot_h - plot_h * target / top
        parts.append(
            f'<line class="mark doel" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b03a48" '
            f'stroke-dasharray="6 4" stroke-width="2"><title>{escape(target_label)}</title></line>'
        )
    parts.append(_legend(series, target_label if target else ""))
    parts.append("</svg>")
    return "".join(parts)


def line_chart(chart_id: str, title: str, categories: list[str], series: list[Series], *, unit: str = "") -> str:
    """Lines over categories (months); a None breaks the line and gets a hatched band, so a gap is visible."""
    top = _nice_top([v for s in series for v in s.values if v is not None])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(categories), 1)
    parts = [_open(chart_id, title), HATCH.format(id=f"{chart_id}-h"), *_y_axis(top, unit)]
    gaps = {ci for s in series for ci in range(len(categories)) if ci >= len(s.values) or s.values[ci] is None}
    for ci in sorted(gaps):
        reasons = sorted({s.why(ci) for s in series if ci >= len(s.values) or s.values[ci] is None})
        parts.append(
            f'<rect class="leeg" x="{LEFT + ci * step:.1f}" y="{TOP}" width="{step:.1f}" height="{plot_h}" '
            f'fill="url(#{chart_id}-h)" opacity="0.6"><title>{escape(categories[ci] + ": " + ", ".join(reasons))}'
            "</title></rect>"
        )
    for si, s in enumerate(series):
        colour = COLOURS[si % len(COLOURS)]
        run: list[str] = []
        for ci in range(len(categories)):
            value = s.values[ci] if ci < len(s.values) else None
            if value is None:
                parts.append(_polyline(run, colour))
                run = []
                continue
            x, y = LEFT + ci * step + step / 2, TOP + plot_h - plot_h * max(value, 0) / top
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(
                f'<circle class="mark" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(f'{s.label}, {categories[ci]}: {_fmt(value)}{unit}')}</title></circle>"
            )
        parts.append(_polyline(run, colour))
    for ci, category in enumerate(categories):
        parts.append(_x_label(LEFT + ci * step + step / 2, category))
    parts.append(_legend(series, ""))
    parts.append("</svg>")
    return "".join(parts)


def _open(chart_id: str, title: str) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="grafiek" viewBox="0 0 {WIDTH} '
        f'{HEIGHT + 22}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _y_axis(top: float, unit: str) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    out = [f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#444"/>']
    for k in range(5):
        value = top * k / 4
        y = TOP + plot_h - plot_h * k / 4
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="10">{_fmt(value)}{escape(unit)}</text>'
        )
    return out


def _x_label(x: float, label: str) -> str:
    y = HEIGHT - BOTTOM + 12
    return (
        f'<text x="{x:.1f}" y="{y}" text-anchor="end" font-size="10" transform="rotate(-35 {x:.1f} {y})">'
        f"{escape(label)}</text>"
    )


def _legend(series: list[Series], target_label: str) -> str:
    out, x = [], LEFT
    for si, s in enumerate(series):
        out.append(f'<rect x="{x}" y="{HEIGHT + 8}" width="10" height="10" fill="{COLOURS[si % len(COLOURS)]}"/>')
        out.append(f'<text x="{x + 14}" y="{HEIGHT + 17}" font-size="11">{escape(s.label)}</text>')
        x += 24 + 7 * len(s.label)
    if target_label:
        out.append(
            f'<line x1="{x}" x2="{x + 16}" y1="{HEIGHT + 13}" y2="{HEIGHT + 13}" stroke="#b03a48" '
            'stroke-dasharray="4 3" stroke-width="2"/>'
        )
        out.append(f'<text x="{x + 20}" y="{HEIGHT + 17}" font-size="11">{escape(target_label)}</text>')
    return "".join(out)


def _polyline(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline class="mark" points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'


def _nice_top(values: list[float]) -> float:
    """The axis maximum: the largest value rounded up to 1, 2, 2.5 or 5 times a power of ten."""
    largest = max([v for v in values if v is not None and v > 0], default=1.0)
    power = 10 ** len(str(int(largest))) / 10 if largest >= 1 else 0.1
    for factor in (1, 2, 2.5, 5, 10):
        if largest <= factor * power:
            return factor * power
    return 10 * power


def _fmt(value: float) -> str:
    """Dutch number: decimal comma, thousands with a dot, one decimal at most."""
    text = f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.1f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")
