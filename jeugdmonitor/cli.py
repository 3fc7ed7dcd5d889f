"""The `jeugdmonitor` command: what a data engineer types to set up, run and inspect the monitor."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

# The machines that run the monitor often have no internet; Prefect's usage telemetry would only log errors.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

DEBUG = "jeugdmonitor.debug"
# The warehouse of the command's configuration, named (masked) when its database cannot be reached.
_warehouse_url: ContextVar[str | None] = ContextVar("warehouse_url", default=None)


class _OneLineErrors(TyperGroup):
    """Every command, also those added later: an expected error (jeugdmonitor.errors) is one line on stderr and a
    non-zero exit code; --debug shows its traceback. Any other error is a bug and keeps its traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's own (vendored) click Context
        from jeugdmonitor import errors

        try:
            return super().invoke(ctx)
        except Exception as exc:
            explained = errors.explain(exc, _warehouse_url.get())
            if explained is None or ctx.meta.get(DEBUG):
                raise
            typer.secho(f"error: {explained.message}", fg="red", err=True)
            raise typer.Exit(explained.exit_code) from None


app = typer.Typer(
    cls=_OneLineErrors,
    help="jeugdmonitor: load iJw messages, JGT exports and CBS figures into the youth-care monitor warehouse.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Create or upgrade the warehouse schema; grant readers.", no_args_is_help=True)
marts_app = typer.Typer(help="Build the dimensions and indicator marts.", no_args_is_help=True)
key_app = typer.Typer(help="Manage the pseudonymisation key.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(key_app, name="key")
app.add_typer(marts_app, name="marts")
alerts_app = typer.Typer(help="Quality alerts: see what would be sent.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")


@app.callback()
def _options(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="JEUGDMONITOR_DEBUG", help="Show the traceback of an error, not just its line."),
    ] = False,
) -> None:
    from jeugdmonitor.errors import quiet_expected_in_run_logs

    ctx.meta[DEBUG] = debug
    quiet_expected_in_run_logs(not debug)  # a flow run logs the error that ends it with its traceback


ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: $JEUGDMONITOR_CONFIG, else ./jeugdmonitor.toml)."),
]


def _settings(config: Path | None):
    from jeugdmonitor.config import ConfigError, load_settings

    try:
        settings = load_settings(config)
    except ConfigError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    _warehouse_url.set(settings.warehouse.url)
    return settings


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(code)


def _preflight(settings, inboxes: bool = True) -> None:
    """What would stop a flow at its start, checked before a Prefect server starts for it: the key, the inboxes,
    the database and whether the key is the warehouse's. Each is then one line (jeugdmonitor.errors), not a
    failed flow run; the flow checks the key again (deployments do not come this way)."""
    from jeugdmonitor import meta
    from jeugdmonitor.inbox import require_inboxes
    from jeugdmonitor.pseudonym import pseudonymiser_from_config
    from jeugdmonitor.warehouse import make_engine

    key_id = pseudonymiser_from_config(settings.privacy).key_id
    if inboxes:
        require_inboxes({"paths.ijw_inbox": settings.paths.ijw_inbox, "paths.jgt_inbox": settings.paths.jgt_inbox})
    engine = make_engine(settings.warehouse.url)  # a run creates the warehouse anyway
    try:
        meta.check_key(engine, key_id)
    finally:
        engine.dispose()


@app.command()
def generate(
    out: Annotated[Path, typer.Option(help="Folder to write into (ijw/, jgt/, cbs/, manifest.json).")] = Path(
        "data/inbox"
    ),
    region: Annotated[str, typer.Option(help="holland-rijnland (13 real gemeenten) or national (342 synthetic).")] = (
        "holland-rijnland"
    ),
    gemeente: Annotated[list[str] | None, typer.Option(help="Only this gemeente (GM code); repeatable.")] = None,
    start: Annotated[str, typer.Option(help="First month, YYYY-MM.")] = "2025-01",
    months: Annotated[int, typer.Option(min=1, max=60, help="Number of months.")] = 12,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives byte-identical files.")] = 20250101,
    defects: Annotated[float, typer.Option(min=0.0, max=0.5, help="Share of records and files with a defect.")] = 0.0,
    scale: Annotated[float, typer.Option(min=0.001, help="Multiplies the population (0.1 = a tenth).")] = 1.0,
) -> None:
    """Write a synthetic, internally consistent youth-care region: iJw XML, JGT exports and CBS responses."""
    from jeugdmonitor.progress import terminal
    from jeugdmonitor.synthetic import generate as run_generator

    _check_generate(region, gemeente or [], start)

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)  # sys.stderr now: a live display writes it above its bar

    with terminal(sys.stderr):
        report = run_generator(
            out,
            region=region,
            gemeenten=gemeente,
            start=start,
            months=months,
            seed=seed,
            defects=defects,
            scale=scale,
            progress=progress,
        )
    typer.echo(report.render())
    typer.echo(f"\nWritten to {out.resolve()}")


def _check_generate(region: str, gemeenten: list[str], start: str) -> None:
    import re

    from jeugdmonitor.config import check_gemeentecodes
    from jeugdmonitor.synthetic.regions import REGIONS, get_region

    if region not in REGIONS:
        _fail(f"--region {region!r} is not a synthetic region; choose one of: {', '.join(sorted(REGIONS))}")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        _fail(f"--start {start!r} is not a month as YYYY-MM (2025-01 to 2025-12 for a year)")
    try:
        check_gemeentecodes(gemeenten)
    except ValueError as exc:
        _fail(f"--gemeente: {exc}")
    known = {g.code for g in get_region(region).gemeenten}
    if unknown := sorted(set(gemeenten) - known):
        _fail(f"--gemeente {', '.join(unknown)}: not a gemeente of the synthetic region {region}")


@app.command()
def run(
    config: ConfigOption = None,
    rapport: Annotated[
        bool, typer.Option("--rapport", help="Write the report site afterwards (always with report.na_run).")
    ] = False,
) -> None:
    """Run the monitor flow once: load what is new in every inbox and print the summary."""
    settings = _settings(config)
    _preflight(settings)
    from jeugdmonitor.flows.monitor import monitor
    from jeugdmonitor.progress import terminal

    with _run_guard(), _local_cbs(settings), terminal(sys.stderr):
        summary = _with_runner(monitor, settings)(str(settings.source))
    typer.echo(summary.render_text())
    if rapport or settings.report.na_run:
        _write_report(settings, None, None)


@app.command()
def report(
    out: Annotated[Path | None, typer.Option("--out", help="Folder of the site (default: report.map).")] = None,
    gemeente: Annotated[
        list[str] | None, typer.Option("--gemeente", help="Only this gemeente's page (repeatable); GM + 4 digits.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write the monitor report: a region page, a page and an Excel workbook per gemeente, offline-readable."""
    _write_report(_settings(config), out, gemeente)


def _write_report(settings, out: Path | None, gemeenten: list[str] | None) -> Path:
    from jeugdmonitor.report.build import write_report
    from jeugdmonitor.warehouse import make_engine

    engine = make_engine(settings.warehouse.url)
    try:
        written = write_report(engine, settings, out, gemeenten)
    finally:
        engine.dispose()
    pages = sum(1 for p in written.files if p.suffix == ".html")
    typer.echo(f"Report written: {pages} pages in {written.folder}; open {written.index.resolve().as_uri()}")
    return written.index


@app.command()
def reprocess(
    file: Annotated[
        str | None, typer.Option("--file", help="A file: its path relative to the inbox, or its file_id.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Only quarantine rows with this reason code.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="ijw or jgt.")] = None,
    periode: Annotated[
        str | None, typer.Option("--periode", help="The month (YYYY-MM) of the declaraties or exports.")
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Judge refused files and quarantined lines again from the files in the inbox, with today's configuration
    (a new layout, team or productcode) and warehouse (a late JW301); what passes now loads, once. Without a scope:
    everything refused or quarantined."""
    from jeugdmonitor.reprocess import Scope

    try:
        Scope.parse(file=file, reason=reason, source=source, periode=periode)
    except ValueError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    settings = _settings(config)
    from jeugdmonitor.flows.reprocess import reprocess as reprocess_flow

    with _run_guard():
        summary = _with_runner(reprocess_flow, settings)(file, reason, source, periode, str(settings.source))
    typer.echo(summary.render_text())


@contextmanager
def _local_cbs(settings) -> Iterator[None]:
    """`cbs.base_url = "fixture"` (the offline demo): the local CBS server, from the demo code, meanwhile."""
    from jeugdmonitor.cbs.connect import FIXTURE

    if settings.cbs.base_url != FIXTURE:
        yield  # the synthetic package is not even imported
        return
    from jeugdmonitor.synthetic.cbs_server import serving

    with serving(settings):
        yield


@contextmanager
def _run_guard(flow: bool = True) -> Iterator[None]:
    """Around a run from the command line: the temporary Prefect server of a flow ends with this process, and a
    run that cannot hold the warehouse stops with its message instead of a traceback."""
    from jeugdmonitor.lifeline import start_prefect_server
    from jeugdmonitor.locking import LockLost, WarehouseBusy

    if flow:
        start_prefect_server()
    try:
        yield
    except (WarehouseBusy, LockLost) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(1) from None


def _with_runner(flow, settings):
    from jeugdmonitor.deployments import task_runner_for

    runner = task_runner_for(settings)
    return flow if runner is None else flow.with_options(task_runner=runner)


@app.command()
def backfill(
    van: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    tot: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    config: ConfigOption = None,
) -> None:
    """Rebuild the marts of every gemeente for a range of months (whole years), idempotently."""
    import re

    if not (re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", van) and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", tot)) or tot < van:
        typer.secho("error: --from and --to are months as YYYY-MM, --to not before --from", fg="red", err=True)
        raise typer.Exit(2)
    settings = _settings(config)
    _preflight(settings, inboxes=False)
    from jeugdmonitor.flows.backfill import backfill as backfill_flow

    with _run_guard():
        summary = backfill_flow(van, tot, str(settings.source))
    typer.echo(summary.render_text())


@app.command()
def serve(config: ConfigOption = None) -> None:
    """Serve every deployment of flows/prefect.yaml with its schedule from this host (needs `prefect server
    start`: the ephemeral API cannot schedule). Stop with Ctrl-C."""
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL

    from jeugdmonitor.deployments import read, task_runner_for, to_deployments

    settings = _settings(config)
    _preflight(settings)
    if not PREFECT_API_URL.value():
        typer.secho(
            "error: no Prefect server. Start one (`prefect server start`) and set PREFECT_API_URL, "
            "e.g. http://127.0.0.1:4200/api; schedules need a server.",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    specs = read()
    for spec in specs:
        when = ", ".join(f"{s['cron']} ({s['slug']})" for s in spec.schedules) or "on demand"
        typer.echo(f"  {spec.name:<16} {when}")
    with _local_cbs(settings):
        prefect_serve(*to_deployments(specs, str(settings.source), task_runner_for(settings)))


@app.command()
def demo(
    config: ConfigOption = None,
    defects: Annotated[float, typer.Option(help="Share of planted defects in the generated data.")] = 0.01,
    fresh: Annotated[bool, typer.Option(help="Start over: remove the demo inbox and warehouse first.")] = False,
) -> None:
    """Generate the synthetic Holland Rijnland region (once) and run the monitor on it with SQLite.

    Without --config, $JEUGDMONITOR_CONFIG or ./jeugdmonitor.toml, it writes the bundled demo configuration to
    ./jeugdmonitor.toml first: the demo then runs in the current folder (data/ beside that file)."""
    config = config or _bundled_demo_config()
    settings = _settings(config)
    inbox_root = settings.paths.ijw_inbox.parent
    if fresh:
        _remove_demo_state(settings)
    if not (inbox_root / "manifest.json").exists():
        typer.echo(f"Generating the synthetic region into {inbox_root} ...")
        generate(
            out=inbox_root,
            region="holland-rijnland",
            gemeente=None,
            start="2025-01",
            months=12,
            seed=20250101,
            defects=defects,
            scale=1.0,
        )
    else:
        typer.echo(f"Using the synthetic region already in {inbox_root} (--fresh to regenerate).")
    typer.echo("Running the monitor flow ...")
    run(config, rapport=False)
    index = _write_report(settings, None, None)
    from jeugdmonitor.redact import masked_url

    typer.echo(
        f"\nWarehouse: {masked_url(settings.warehouse.url)}\n"
        f"The report (region page, a page per gemeente): open {index.resolve().as_uri()}\n"
        "What was quarantined, and why:  .venv/bin/jeugdmonitor quarantine\n"
        "Run `make demo` again: nothing new is loaded, nothing is doubled."
    )


def _bundled_demo_config() -> Path | None:
    """./jeugdmonitor.toml, written from the package's demo configuration when no configuration is found."""
    from importlib.resources import files

    from jeugdmonitor.config import find_config_file

    found = find_config_file()
    if found.exists() or os.environ.get("JEUGDMONITOR_CONFIG"):
        return None  # the usual lookup; a missing $JEUGDMONITOR_CONFIG stays an error
    found.write_text((files("jeugdmonitor") / "demo.toml").read_text(encoding="utf-8"), encoding="utf-8")
    typer.echo(f"No configuration found: wrote the demo configuration to {found}.")
    return found


def _remove_demo_state(settings) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(settings.warehouse.url)
    if url.get_backend_name() != "sqlite":
        typer.secho("--fresh only resets an SQLite warehouse; drop a PostgreSQL one yourself.", fg="red", err=True)
        raise typer.Exit(2)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{url.database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(settings.paths.ijw_inbox.parent, ignore_errors=True)


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder for the new region's files (created when missing).")],
    naam: Annotated[str, typer.Option(help="Name of the region, as reports show it.")],
    gemeente: Annotated[list[str], typer.Option(help="A gemeente of the region (GM code); repeatable.")],
    jeugdregio: Annotated[str, typer.Option(help="CBS jeugdregio code (JZ + 2 digits), if known.")] = "",
) -> None:
    """Write a commented starting configuration, region file and aanbieders table for a new region."""
    from jeugdmonitor.starter import StarterExists, write_starter

    try:
        written = write_starter(folder, naam, gemeente, jeugdregio)
    except (StarterExists, ValueError) as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(
        f"Next: name the gemeenten and teams in {written[1].name}, then "
        f"`jeugdmonitor run --config {written[0]}` (docs/production.md)."
    )


@app.command()
def quarantine(
    config: ConfigOption = None,
    limit: Annotated[int, typer.Option(help="How many of the latest quarantined lines to list.")] = 10,
) -> None:
    """What did not load and is still open, by reason (with the Dutch text policy staff see), and the latest lines;
    `jeugdmonitor reprocess` judges them again."""
    from sqlalchemy import desc, func, select

    from jeugdmonitor.schemas.warehouse import meta_quarantine, meta_source_file
    from jeugdmonitor.transforms.masking import masked
    from jeugdmonitor.warehouse import existing_engine

    settings = _settings(config)
    q, f = meta_quarantine, meta_source_file
    with existing_engine(settings.warehouse.url).connect() as conn:
        by_reason = conn.execute(
            select(q.c.reason_code, func.count(), func.min(q.c.reden))
            .where(q.c.opgelost_op.is_(None))  # rows resolved by `reprocess` are history
            .group_by(q.c.reason_code)
            .order_by(desc(func.count()))
        ).all()
        latest = conn.execute(
            select(f.c.file_id, f.c.path, q.c.line, q.c.reason_code, q.c.value_masked)
            .join(f, f.c.file_id == q.c.file_id)
            .where(q.c.opgelost_op.is_(None))
            .order_by(desc(q.c.quarantine_id))
            .limit(limit)
        ).all()
    if not by_reason:
        typer.echo("Nothing in quarantine.")
        return
    for code, count, reden in by_reason:
        typer.echo(f"{count:>8,}  {code:<24} {reden}")
    typer.echo(f"\nLatest {len(latest)}:")
    for file_id, path, line, code, value in latest:
        # a file name can carry a BSN: shown masked, with the file_id that finds it in meta_source_file
        typer.echo(f"  [{file_id}] {masked(path, 200)}:{line or '-'}  {code}" + (f"  ({value})" if value else ""))


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Create the warehouse or migrate it to the newest schema."""
    from jeugdmonitor.redact import masked_url
    from jeugdmonitor.warehouse import current_revision, make_engine, upgrade

    settings = _settings(config)
    engine = make_engine(settings.warehouse.url)
    upgrade(engine)
    typer.echo(f"{masked_url(settings.warehouse.url)} is at revision {current_revision(engine)}")


@db_app.command("lezer")
def db_lezer(
    role: Annotated[str, typer.Argument(help="PostgreSQL role (created NOLOGIN when missing).")],
    gemeente: Annotated[list[str] | None, typer.Option(help="Only this gemeente's rows (GM code); repeatable.")] = None,
    regio: Annotated[bool, typer.Option("--regio", help="Every gemeente's rows (a region-wide reader).")] = False,
    config: ConfigOption = None,
) -> None:
    """Let a role read the marts and dimensions (monitor_lezer), marts limited to its gemeenten (PostgreSQL).

    Give --gemeente or --regio: a role without a binding sees no rows. Members of the role (personal logins) see
    what it sees."""
    from jeugdmonitor.access import grant_reader
    from jeugdmonitor.warehouse import existing_engine

    settings = _settings(config)
    if unknown := sorted(set(gemeente or []) - set(settings.region.gemeenten)):
        _fail(f"--gemeente {', '.join(unknown)}: not one of region.gemeenten")
    try:
        grant_reader(existing_engine(settings.warehouse.url), role, gemeente, regio=regio)
    except ValueError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{role} reads the marts" + (" of every gemeente." if regio else f" of {', '.join(gemeente or [])} only.")
    )


@app.command("export")
def export_xlsx(
    gemeente: Annotated[str, typer.Option(help="The gemeente (GM code) whose indicators to export.")],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="The Excel file to write.")],
    als: Annotated[
        str | None, typer.Option("--als", help="PostgreSQL: read as this reader role (SET ROLE), as its members do.")
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="PostgreSQL: the database URL of a reader login (default: warehouse.url)."),
    ] = None,
    config: ConfigOption = None,
) -> None:
    """Write one gemeente's indicators to an Excel file: a sheet per indicator and a Toelichting.

    Reads the reader views as a reader would (PostgreSQL: row-level security applies; the warehouse owner must give
    --als ROLE). docs/excel-powerbi.md."""
    from sqlalchemy.engine import make_url

    from jeugdmonitor.config import check_gemeentecodes
    from jeugdmonitor.export import ExportRefused, export
    from jeugdmonitor.warehouse import existing_engine, make_engine

    if url is None:
        url = _settings(config).warehouse.url
    else:
        _warehouse_url.set(url)
    try:
        (code,) = check_gemeentecodes([gemeente])
    except ValueError as exc:
        _fail(f"--gemeente: {exc}")
    # a reader may not read alembic_version: on PostgreSQL the reader views themselves say whether there is data
    engine = existing_engine(url) if make_url(url).get_backend_name() == "sqlite" else make_engine(url)
    try:
        rows = export(engine, code, xlsx, als)
    except ExportRefused as exc:
        _fail(str(exc))
    finally:
        engine.dispose()
    typer.echo(f"{xlsx}: {sum(rows.values()):,} rows of {code} on {len(rows)} sheets and a Toelichting.")


@marts_app.command("rebuild")
def marts_rebuild(config: ConfigOption = None) -> None:
    """Rebuild every dimension and mart from the facts (after a changed norm, threshold or productcode table)."""
    from rich.progress import Progress

    from jeugdmonitor import marts
    from jeugdmonitor.locking import warehouse_lock
    from jeugdmonitor.warehouse import existing_engine, upgrade

    settings = _settings(config)
    engine = existing_engine(settings.warehouse.url)
    # under the lock: a rebuild beside a loading run would write marts from half-loaded facts
    with (
        _run_guard(flow=False),
        warehouse_lock(engine, wait=settings.runs.wait_seconds),
        Progress(transient=True) as bar,
    ):
        upgrade(engine)
        task = bar.add_task("gemeenten", total=len(settings.region.gemeenten))
        report = marts.build(
            engine,
            marts.build_settings(settings),
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for name, rows in sorted(report.rows.items()):
        typer.echo(f"{rows:>10,}  {name}")
    typer.echo(f"{report.gemeenten} gemeenten rebuilt.")


@alerts_app.command("preview")
def alerts_preview(
    run_id: Annotated[str | None, typer.Option("--run", help="The run to judge (default: the latest).")] = None,
    config: ConfigOption = None,
) -> None:
    """Show every digest the alerts step would send, to whom and over which channel, without sending anything
    and without writing the alert history."""
    from jeugdmonitor.alerts.run import preview
    from jeugdmonitor.transforms.alerts.render import payload_bytes
    from jeugdmonitor.warehouse import existing_engine, upgrade

    settings = _settings(config)
    engine = existing_engine(settings.warehouse.url)
    upgrade(engine)
    rendered, found = preview(engine, settings, run_id)
    typer.echo(f"{len(found)} alerts found; {len(rendered)} digests would be sent.")
    if found and not settings.alerts.ontvangers:
        typer.echo("No recipients configured ([[alerts.ontvangers]]); the alerts are:")
        for alert in found:
            typer.echo(f"  [{alert.severity}] {alert.rule} {alert.gemeentecode or ''}: {alert.wat}")
    for item in rendered:
        channel = item.digest.channel
        where = channel.target if channel.kind == "email" else f"{channel.kind} webhook"
        typer.echo(f"\n=== {item.digest.recipient.naam} ({item.digest.recipient.rol}) via {where}")
        typer.echo(f"Onderwerp: {item.subject}\n")
        if item.payload is not None:  # what the channel receives is cut to its limits (docs/alerts.md)
            typer.echo(f"({channel.kind} payload: {payload_bytes(item.payload):,} bytes as sent)\n")
        typer.echo(item.body)


@key_app.command("new")
def key_new(path: Annotated[Path, typer.Argument(help="Where to write the key (mode 0600).")]) -> None:
    """Create a new random pseudonymisation key file. A new key gives new pseudonyms: see docs/privacy.md."""
    from jeugdmonitor.pseudonym import create_key_file

    if path.exists():
        typer.secho(f"{path} exists; refusing to overwrite a key.", fg="red", err=True)
        raise typer.Exit(2)
    create_key_file(path)
    typer.echo(f"Wrote {path} (mode {oct(os.stat(path).st_mode & 0o777)}).")


@app.command("config")
def show_config(config: ConfigOption = None) -> None:
    """Show the configuration in force, after environment overrides, with passwords hidden."""
    from jeugdmonitor.redact import masked_url, scrubbed_url

    settings = _settings(config)
    typer.echo(f"# from {settings.source}")
    data = settings.model_dump(mode="json")
    data["warehouse"]["url"] = masked_url(settings.warehouse.url)
    data["cbs"]["base_url"] = masked_url(settings.cbs.base_url)
    for recipient in data["alerts"]["ontvangers"]:  # a webhook URL carries its own secret token in path or query
        if recipient["webhook"]:
            recipient["webhook"] = scrubbed_url(recipient["webhook"]) + "/***"
    for section, values in data.items():
        typer.echo(f"[{section}]")
        for key, value in values.items():
            typer.echo(f"{key} = {value!r}")


def main() -> None:  # pragma: no cover - console entry point
    sys.exit(app())
