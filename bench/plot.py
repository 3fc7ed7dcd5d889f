"""Growth chart of the monitor flow benchmark: seconds per stage against iJw lines, log-log, as one SVG file.

    .venv/bin/python bench/plot.py bench/out/monitor-*.json --out docs/performance-growth.svg

Reads the JSON files of bench/monitor.py (the first run of each size and backend; when several files hold the
same size and backend, the newest counts), writes a self-contained SVG (written by hand: no plotting library is
installed) with one line per stage and backend (PostgreSQL solid with filled markers, SQLite dashed with hollow
ones), and prints a markdown table of the seconds per size with the growth exponent between successive sizes:
log(t2/t1) / log(n2/n1), where n is iJw lines read; ~1 means linear, below 1 a fixed cost that is being spread,
above 1 worse than linear. Lines are not the only driver: marts and CBS grow with the number of gemeenten too.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from itertools import pairwise
from pathlib import Path
from xml.sax.saxutils import escape

STAGES = ("discover", "parse", "validate", "load", "marts", "alerts", "total")
COLOURS = {
    "discover": "#1f77b4",
    "parse": "#ff7f0e",
    "validate": "#2ca02c",
    "load": "#d62728",
    "marts": "#9467bd",
    "alerts": "#8c564b",
    "total": "#222222",
}
DASHES = {"postgresql": "", "sqlite": "6 4"}
BACKEND_NAMES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
WIDTH, HEIGHT = 820, 500
LEFT, RIGHT, TOP, BOTTOM = 70, 190, 40, 60  # margins: the legend sits in the right one


# ---------------------------------------------------------------------------------------------------- data


def size_label(data: dict) -> str:
    scale = data.get("scale", 1.0)
    return data["size"] if scale == 1.0 else f"{data['size']} x{scale:g}"


def points(paths: list[Path]) -> dict[tuple[str, str], dict]:
    """(backend, size) -> {"lines": n, "seconds": {stage: s}, "date": ...}, the newest file winning."""
    found: dict[tuple[str, str], dict] = {}
    for path in paths:
        report = json.loads(path.read_text(encoding="utf-8"))
        for run in report["runs"]:
            first = run["first"]
            seconds = {s: f["seconds"] for s, f in first["stages"].items()}
            seconds["total"] = first["wall_s"]
            point = {"lines": run["ijw_lines"], "seconds": seconds, "date": report["date"], "file": str(path)}
            key = (run["backend"], size_label(report["data"]))
            if key not in found or found[key]["date"] < point["date"]:
                found[key] = point
    return found


def series(found: dict) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(backend, stage) -> [(lines, seconds)] by lines; zero seconds have no place on a log axis."""
    lines: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for (backend, _size), point in found.items():
        for stage in STAGES:
            seconds = point["seconds"].get(stage, 0.0)
            if point["lines"] > 0 and seconds > 0:
                lines.setdefault((backend, stage), []).append((point["lines"], seconds))
    return {key: sorted(values) for key, values in lines.items()}


# ---------------------------------------------------------------------------------------------------- svg


def decades(values: list[float]) -> tuple[int, int]:
    low, high = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    return low, max(high, low + 1)


def number(value: float) -> str:
    """A decade as an axis label: 0.01, 1, 100, 10k, 1M."""
    if value >= 1e6:
        return f"{value / 1e6:g}M"
    if value >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


class Axes:
    """Log-log mapping from data to SVG coordinates."""

    def __init__(self, x_decades: tuple[int, int], y_decades: tuple[int, int]):
        self.x_decades, self.y_decades = x_decades, y_decades
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, value: float) -> float:
        low, high = self.x_decades
        return LEFT + (math.log10(value) - low) / (high - low) * self.width

    def y(self, value: float) -> float:
        low, high = self.y_decades
        return TOP + self.height - (math.log10(value) - low) / (high - low) * self.height


def grid(axes: Axes) -> list[str]:
    out = [f'<rect x="{LEFT}" y="{TOP}" width="{axes.width}" height="{axes.height}" fill="none" stroke="#999"/>']
    for k in range(axes.x_decades[0], axes.x_decades[1] + 1):
        x = axes.x(10.0**k)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + axes.height}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + axes.height + 18}" text-anchor="middle">{number(10.0**k)}</text>')
    for k in range(axes.y_decades[0], axes.y_decades[1] + 1):
        y = axes.y(10.0**k)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + axes.width}" y2="{y:.1f}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">{number(10.0**k)}</text>')
    out.append(
        f'<text x="{LEFT + axes.width / 2:.1f}" y="{HEIGHT - 18}" text-anchor="middle">'
        "iJw lines read (first run, log scale)</text>"
    )
    out.append(
        f'<text transform="translate(18 {TOP + axes.height / 2:.1f}) rotate(-90)" text-anchor="middle">'
        "wall seconds (log scale)</text>"
    )
    return out


def curves(axes: Axes, lines: dict) -> list[str]:
    out = []
    for (backend, stage), values in sorted(lines.items()):
        colour, dash = COLOURS[stage], DASHES.get(backend, "2 2")
        style = f'stroke="{colour}" stroke-width="{2.5 if stage == "total" else 1.8}"'
        style += f' stroke-dasharray="{dash}"' if dash else ""
        coords = " ".join(f"{axes.x(n):.1f},{axes.y(s):.1f}" for n, s in values)
        title = escape(
            f"{BACKEND_NAMES.get(backend, backend)} {stage}: "
            + ", ".join(f"{n:,.0f} lines {s:,.2f} s" for n, s in values)
        )
        out.append(f'<g><title>{title}</title><polyline points="{coords}" fill="none" {style}/>')
        # filled for PostgreSQL, hollow otherwise: at one size the two backends' markers can sit on each other
        marker = f'fill="{colour}"' if not dash else f'fill="white" stroke="{colour}" stroke-width="1.5"'
        out += [f'<circle cx="{axes.x(n):.1f}" cy="{axes.y(s):.1f}" r="3.5" {marker}/>' for n, s in values]
        out.append("</g>")
    return out


def legend(backends: list[str]) -> list[str]:
    x, y = WIDTH - RIGHT + 20, TOP + 10
    out = []
    for i, stage in enumerate(STAGES):
        yy = y + i * 18
        out.append(f'<line x1="{x}" y1="{yy}" x2="{x + 26}" y2="{yy}" stroke="{COLOURS[stage]}" stroke-width="2.5"/>')
        out.append(f'<text x="{x + 34}" y="{yy + 4}">{stage}</text>')
    for i, backend in enumerate(backends):
        yy = y + (len(STAGES) + 1 + i) * 18
        dash = DASHES.get(backend, "2 2")
        out.append(
            f'<line x1="{x}" y1="{yy}" x2="{x + 26}" y2="{yy}" stroke="#555" stroke-width="1.8"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        out.append(f'<text x="{x + 34}" y="{yy + 4}">{BACKEND_NAMES.get(backend, backend)}</text>')
    return out


def svg(lines: dict, sizes: list[tuple[str, float]]) -> str:
    xs = [n for values in lines.values() for n, _ in values]
    ys = [s for values in lines.values() for _, s in values]
    axes = Axes(decades(xs), decades(ys))
    backends = sorted({backend for backend, _ in lines})
    sized = ", ".join(f"{label} ({n:,.0f} lines)" for label, n in sizes)
    body = [
        f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">monitor flow: wall seconds per stage '
        "against data size</text>",
        f'<text x="{LEFT}" y="{HEIGHT - 2}" font-size="10" fill="#666">{escape(sized)}</text>',
        *grid(axes),
        *curves(axes, lines),
        *legend(backends),
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


# ---------------------------------------------------------------------------------------------------- table


def exponent(a: tuple[float, float], b: tuple[float, float]) -> float | None:
    (n1, t1), (n2, t2) = a, b
    if n1 <= 0 or n2 <= 0 or t1 <= 0 or t2 <= 0 or n1 == n2:
        return None
    return math.log(t2 / t1) / math.log(n2 / n1)


def growth_table(found: dict) -> str:
    """Per backend: seconds per stage at each size (by lines), and the exponent between successive sizes."""
    parts = []
    for backend in sorted({b for b, _ in found}):
        sized = sorted(((size, p) for (b, size), p in found.items() if b == backend), key=lambda i: i[1]["lines"])
        header = ["stage"] + [f"{size} ({p['lines']:,} lines)" for size, p in sized]
        header += [f"exp. {a} → {b}" for (a, _), (b, _) in pairwise(sized)]
        rows = [f"| {' | '.join(header)} |", "|" + "---|" + "---:|" * (len(header) - 1)]
        for stage in STAGES:
            values = [(p["lines"], p["seconds"].get(stage, 0.0)) for _, p in sized]
            cells = [f"{s:,.2f}" for _, s in values]
            cells += ["–" if (e := exponent(a, b)) is None else f"{e:.2f}" for a, b in pairwise(values)]
            rows.append(f"| {stage} | {' | '.join(cells)} |")
        parts.append(
            f"**{BACKEND_NAMES.get(backend, backend)}** (wall seconds; exponent = "
            "log(t2/t1) / log(n2/n1))\n\n" + "\n".join(rows)
        )
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSON files of bench/monitor.py")
    parser.add_argument("--out", type=Path, default=Path("docs/performance-growth.svg"))
    args = parser.parse_args(argv)
    found = points(args.files)
    lines = series(found)
    if not lines:
        print("no runs with iJw lines and seconds in these files", file=sys.stderr)
        return 1
    sizes = sorted({(size, p["lines"]) for (_, size), p in found.items()}, key=lambda s: s[1])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(svg(lines, sizes), encoding="utf-8")
    print(growth_table(found))
    print(f"\nchart written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
