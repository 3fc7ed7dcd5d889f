"""Synthetic data for jeugdmonitor: iJw 3.2 messages, JGT exports and CBS tables of one invented but consistent
world, so the pipeline can be developed, tested, demonstrated and benchmarked without personal data.

`generate()` is the one entry point (the CLI calls it). It works gemeente by gemeente: simulate the story
(`world`), derive the message traffic (`messages`), optionally spoil some of it (`defects`), write it
(`ijw_writer`, `jgt_writer`), count what CBS would publish, and forget the gemeente before the next one. Memory
therefore stays bounded by the largest gemeente, and the same arguments give byte-identical output.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

from jeugdmonitor import owner_only
from jeugdmonitor.progress import Progress
from jeugdmonitor.synthetic.defects import FILE_KINDS, DefectPlanter
from jeugdmonitor.synthetic.ijw_writer import WrittenFile, forget_folders, write_declaratie, write_message
from jeugdmonitor.synthetic.jgt_writer import build_export, team_style, write_export
from jeugdmonitor.synthetic.messages import Defect, build_messages
from jeugdmonitor.synthetic.regions import get_region
from jeugdmonitor.synthetic.report import GenerationReport, ReportBuilder
from jeugdmonitor.synthetic.world import (
    Window,
    cbs_counts,
    region_contexts,
    simulate_gemeente,
    stable_seed,
)

__all__ = ["generate", "GenerationReport"]

OUTPUT_NAMES = ("ijw", "jgt", "cbs", "manifest.json")


def generate(
    out_dir: Path,
    *,
    region: str = "holland-rijnland",
    gemeenten: list[str] | None = None,
    start: str = "2025-01",
    months: int = 12,
    seed: int = 20250101,
    defects: float = 0.0,
    scale: float = 1.0,
    cbs_page_size: int = 1000,
    progress: Callable[[str], None] | None = None,
) -> GenerationReport:
    """Write a synthetic world to `out_dir` and return what was written.

    region: "holland-rijnland" or "national"; gemeenten narrows it (GM codes) without changing those gemeenten's
    data. start/months: the window (YYYY-MM, number of months). defects: share of records to spoil (0.0 = clean,
    every iJw file XSD-valid). scale multiplies the population. `out_dir` must not hold an earlier run.
    Layout: ijw/<YYYY-MM of Dagtekening>/<MSG>_<Afzender>_<Ontvanger>_<BerichtIdentificatie>.xml,
    jgt/<team>_<YYYY-MM>.csv|xlsx, cbs/..., manifest.json (this report plus every planted defect).
    `progress` gets a progress line (gemeenten done, files written) at a steady pace and a closing one.
    """
    import pandas as pd

    from jeugdmonitor.synthetic.cbs_writer import write_cbs_tree

    if not 0.0 <= defects <= 1.0:
        raise ValueError("defects is a share between 0 and 1")
    if scale <= 0:
        raise ValueError("scale must be positive")
    out_dir = Path(out_dir)
    clash = [n for n in OUTPUT_NAMES if (out_dir / n).exists()]
    if clash:
        raise FileExistsError(f"{out_dir} already holds generated data ({', '.join(clash)}); use an empty directory")
    owner_only.make_dir(out_dir)  # synthetic, but shaped like personal data: the demo's data folder is private
    forget_folders()

    full = get_region(region)
    chosen = full.select(gemeenten)
    window = Window.parse(start, months)
    contexts = region_contexts(full)
    # One team per region exports XLSX: fixed by the full region, so a subset run writes the same files.
    xlsx_team = full.gemeenten[0].teams[0].code if full.gemeenten and full.gemeenten[0].teams else None
    builder = ReportBuilder()
    planted: list[Defect] = []
    cbs_rows: list[tuple[str, str, str, int]] = []
    pending_file_defects = list(FILE_KINDS)
    steps = Progress(
        "generate",
        total=len(chosen.gemeenten),
        unit="gemeenten",
        counted_unit="files",
        emit=progress or (lambda _: None),
    )

    for g in chosen.gemeenten:
        ctx = contexts[g.code]
        world = simulate_gemeente(g, ctx, window, seed, scale)
        traffic = build_messages(world, random.Random(stable_seed(seed, g.code, "ijw")))
        planter = DefectPlanter(random.Random(stable_seed(seed, g.code, "defects")), defects, pending_file_defects)
        planter.plant_messages(traffic.messages)
        planter.plant_declaraties(traffic.declaraties, ctx.index)

        written: list[WrittenFile] = [write_message(out_dir, m) for m in traffic.messages]
        for d in traffic.declaraties:
            written.extend(write_declaratie(out_dir, d))
            builder.add_declared(sum(p.signed for c in d.clients.values() for p in c.prestaties))

        exports = []
        for ti, team in enumerate(g.teams):
            style = team_style(team, ctx.index, ti, xlsx=team.code == xlsx_team)
            regs = sorted(
                (r for r in world.registrations if r.team.code == team.code), key=lambda r: (r.aanmelddatum, r.nummer)
            )
            for month in window.month_starts:
                export = build_export(team, g, month, style, regs)
                planter.plant_export(export)
                noise = random.Random(stable_seed(seed, team.code, month.isoformat()))
                planted.extend(write_export(out_dir, export, noise))
                exports.append(export)

        planter.plant_files(out_dir, written)
        for wf in written:
            planted.extend(wf.defects)
        builder.add_world(world)
        builder.add_written(written)
        builder.add_exports(exports)
        cbs_rows.extend(cbs_counts(world))
        steps.add(1, len(written) + len(exports))
        del world, traffic, written, exports

    steps.finish()
    counts = pd.DataFrame(cbs_rows, columns=["gemeentecode", "periode", "measure", "value"])
    counts["value"] = counts["value"].astype("int64")
    cbs_files = write_cbs_tree(
        out_dir / "cbs",
        region=chosen,
        counts=counts,
        first_month=start,
        months=months,
        seed=seed,
        page_size=cbs_page_size,
    )
    builder.add_defects(planted)
    report = builder.finish(
        region=region,
        gemeenten=len(chosen.gemeenten),
        start=start,
        months=months,
        seed=seed,
        scale=scale,
        defect_share=defects,
        cbs_files=int(cbs_files),
    )
    manifest = report.to_dict()
    manifest["defects"] = sorted(
        (d.to_dict() for d in planted), key=lambda x: (x["file"], x["line"] or 0, x["kind"], x["key"])
    )
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return report
