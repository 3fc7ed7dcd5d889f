"""Configuration: one TOML file a data engineer edits, with environment overrides for secrets and per-host values.

Resolution order (later wins):
1. the TOML file: `--config`, else $JEUGDMONITOR_CONFIG, else ./jeugdmonitor.toml (the demo config in the repo);
2. environment variables `JEUGDMONITOR__<SECTION>__<KEY>` (for example `JEUGDMONITOR__WAREHOUSE__URL`). A value
   for a text field (a string, a path, a choice) is taken as written; any other value is read as a TOML value
   (numbers, booleans, arrays), and as a plain string when it does not parse.

Relative paths in the file are resolved against the file's own folder, so a config works from any working directory.
"""

from __future__ import annotations

import os
import tomllib
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "JEUGDMONITOR__"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


DEMO = "demo"  # region.bestand = "demo": the bundled region file of the synthetic demo region


def check_gemeentecodes(codes: list[str]) -> list[str]:
    """`codes`, when each is GM + 4 digits; else a ValueError naming the first that is not."""
    for code in codes:
        if len(code) != 6 or not code.startswith("GM") or not code[2:].isdigit():
            raise ValueError(f"gemeentecode {code!r} is not GM + 4 digits")
    return codes


# A gemeentecode as CBS writes it; a wrong one is named with its place in the list (region.gemeenten[1]).
GemeenteCode = Annotated[str, AfterValidator(lambda code: check_gemeentecodes([code])[0])]


class RegionConfig(_Section):
    naam: str
    jeugdregio: str = ""
    gemeenten: list[GemeenteCode] = Field(min_length=1)
    # The region file (TOML: gemeenten, teams with their wijken, herindelingen; `jeugdmonitor init` writes one).
    # "demo" = the bundled file of the synthetic region. Empty: the gemeenten by code only, no JGT teams.
    bestand: Path | None = None
    # Aanbieders table (CSV: agb_code, naam) for dim_aanbieder.naam; empty = AGB codes only; "demo" = the bundled
    # names of the synthetic demo region's aanbieders.
    aanbieders: Path | None = None

    @field_validator("bestand", "aanbieders", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class PathsConfig(_Section):
    data_dir: Path = Path("data")
    ijw_inbox: Path = Path("data/inbox/ijw")
    jgt_inbox: Path = Path("data/inbox/jgt")
    cbs_inbox: Path = Path("data/inbox/cbs")


class WarehouseConfig(_Section):
    # SQLAlchemy URL. Relative SQLite paths are resolved against the config file's folder.
    url: str = "sqlite:///data/warehouse.sqlite"
    # Rows per insert batch on SQLite and per COPY flush on PostgreSQL.
    batch_size: int = Field(default=5000, gt=0)


class PrivacyConfig(_Section):
    # Name of the environment variable that holds the pseudonymisation key (hex, at least 32 bytes).
    key_env: str = "JEUGDMONITOR_PSEUDONYM_KEY"
    # Name of a Prefect Secret block that holds the key; empty = not used.
    key_block: str = ""
    # Key file, used when neither the variable nor the block is set.
    key_file: Path | None = None

    @field_validator("key_file", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    # Create the key file (mode 0600) when it does not exist. Demo only: in production a lost key means
    # pseudonyms that no longer match, so a missing key must be an error there.
    create_key_file: bool = False
    # Counts below this are published as NULL with onderdrukt = true.
    suppression_threshold: int = Field(default=10, ge=1)


class IjwConfig(_Section):
    # Folder with the iJw 3.2 XSDs (basisschema.xsd, JW301.xsd, ...); empty = no XSD validation.
    xsd_dir: Path | None = None
    # Productcode table (CSV, see schemas/productcodes.csv); empty = the bundled table of the synthetic region.
    productcodes: Path | None = None
    # Product categories (CSV: product_categorie, omschrijving) for the labels of mart_kosten in the reader views;
    # empty = the bundled JZ020 list (schemas/productcategorieen.csv).
    productcategorieen: Path | None = None
    # Parse files in this many processes (1 = in the flow's own process). On 2 cores with the small one-client
    # messages of JW301/305/307/315, pickling the parsed rows back costs more than a second parser gains
    # (9,940 demo files: 15.9 s with 1, 18.2 s with 2), so 1 is the default; big JW323 files gain from more.
    workers: int = Field(default=1, ge=1, le=64)

    @field_validator("xsd_dir", "productcodes", "productcategorieen", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class JgtConfig(_Section):
    # A folder of the region's own JGT layout TOMLs, used besides the bundled ones; empty = the bundled ones only.
    layouts_dir: Path | None = None

    @field_validator("layouts_dir", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if value in ("", None) else value


class CbsTableConfig(_Section):
    # What the table is for: jeugdzorg, jeugdbescherming, bevolking, gebieden (marts look tables up by purpose).
    purpose: str
    # The table id, or empty with `title_startswith` for a yearly series found in the catalog (Gebieden).
    table_id: str = ""
    title_startswith: str = ""
    # Categories to fetch, by dimension key and category Title (never by key: keys differ between table versions).
    # A dimension that is not listed is fetched whole; RegioS is always limited to the region (see docs/cbs.md).
    select: dict[str, list[str]] = {}
    # Counts in this table are rounded by CBS to multiples of 5 (checked as a warning).
    rounded: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> CbsTableConfig:
        if bool(self.table_id) == bool(self.title_startswith):
            raise ValueError(f"cbs table {self.purpose!r}: give either table_id or title_startswith")
        return self


class CbsConfig(_Section):
    # OData base URL: v3 https://opendata.cbs.nl, v4 https://datasets.cbs.nl/odata/v1; "fixture" serves
    # paths.cbs_inbox with the bundled fixture server (the offline demo and tests), which the CLI's demo, run and
    # serve start (jeugdmonitor.synthetic.cbs_server.serving).
    base_url: str = "https://opendata.cbs.nl"
    api: str = Field(default="v3", pattern="^v[34]$")
    timeout_s: float = Field(default=30.0, gt=0)
    retries: int = Field(default=5, ge=0)
    backoff_s: float = Field(default=1.0, ge=0)
    # Besides the gemeenten and the jeugdregio of the region, fetch these regions (the national benchmark).
    extra_regions: list[str] = ["NL01"]
    tables: list[CbsTableConfig] = []


class RunsConfig(_Section):
    # A run that finds another one loading the same warehouse waits this long, then stops with a clear message.
    wait_seconds: float = Field(default=900, ge=0)
    # "default" (Prefect's thread pool) or "dask": parse iJw files on the Dask cluster at dask_address.
    task_runner: str = Field(default="default", pattern="^(default|dask)$")
    dask_address: str = ""
    # Files per parse task on the task runner (Dask): big enough that shipping a task costs less than its work.
    files_per_task: int = Field(default=500, ge=1)


class MartsConfig(_Section):
    # Days from aanmelding to start hulp (and from toewijzing to start zorg) that count as on time.
    doorlooptijd_norm_dagen: int = Field(default=42, gt=0)
    # A youth registered again at the same team within this many days counts as one aanmelding.
    herregistratie_dagen: int = Field(default=30, ge=0)
    # The target "1 op N" youths with jeugdhulp (mart_jeugdhulpgebruik.doel_een_op_n): one number for every year
    # (0 = none), or a path per year, `[marts.doel_een_op_n]` with `2025 = 7` and `2030 = 14`: linear between the
    # given years, the last one holding after it, none before the first.
    doel_een_op_n: float | dict[int, float] = 0.0

    @field_validator("doel_een_op_n")
    @classmethod
    def _doel(cls, value: float | dict[int, float]) -> float | dict[int, float]:
        if isinstance(value, dict):
            if not value:
                raise ValueError("give at least one year, e.g. 2025 = 7 (or one number, 0 for no target)")
            for year, n in value.items():
                if not 1900 <= year <= 2200 or n <= 0:
                    raise ValueError(f"{year} = {n}: expected a year and an N above 0 (1 op N)")
        elif value < 0:
            raise ValueError("expected 0 (no target) or an N above 0 (1 op N)")
        return value

    # First month the marts cover (YYYY-MM); empty = the first month with data.
    eerste_maand: str = Field(default="", pattern=r"^(|\d{4}-(0[1-9]|1[0-2]))$")
    # Processes that build gemeenten in parallel (each gemeente's marts are independent).
    workers: int = Field(default=1, ge=1, le=64)


class SmtpConfig(_Section):
    # SMTP relay for the e-mail digests; empty host = no e-mail is sent (recipients with only e-mail get nothing).
    host: str = ""
    port: int = Field(default=587, gt=0, lt=65536)
    # Upgrade the connection with STARTTLS before logging in (the relay's certificate is verified).
    starttls: bool = True
    # With starttls = false a login would send the password in plain text: such e-mails are refused (and recorded
    # as failed deliveries) unless this is true. Only for a relay on the same host or a trusted network.
    allow_plaintext_password: bool = False
    sender: str = "jeugdmonitor@localhost"
    timeout_s: float = Field(default=10.0, gt=0)
    # Credentials never live in this file: the environment variables named here, else a Prefect Secret block
    # holding the password (the user then still comes from user_env). No user = no login (an internal relay).
    user_env: str = "JEUGDMONITOR_SMTP_USER"
    password_env: str = "JEUGDMONITOR_SMTP_PASSWORD"
    password_block: str = ""


class RecipientConfig(_Section):
    naam: str
    # beleid: indicator alerts of their gemeenten; data: delivery problems; contract: the provider scorecard.
    rol: Literal["beleid", "data", "contract"]
    # GM codes, or "all".
    gemeenten: list[str] | Literal["all"] = "all"
    email: str = ""
    # Webhook URL (Teams or Slack), or the name of an environment variable that holds it: webhook URLs carry their
    # own secret token, so production configs should use webhook_env.
    webhook: str = ""
    webhook_env: str = ""
    webhook_kind: Literal["teams", "slack"] = "teams"

    @field_validator("gemeenten")
    @classmethod
    def _gm_codes(cls, value: list[str] | Literal["all"]) -> list[str] | Literal["all"]:
        return value if value == "all" else check_gemeentecodes(value)

    @model_validator(mode="after")
    def _a_channel(self) -> RecipientConfig:
        if not (self.email or self.webhook or self.webhook_env):
            raise ValueError(f"alerts.ontvangers {self.naam!r}: give an email, a webhook or a webhook_env")
        return self


class AlertsConfig(_Section):
    # Evaluate and send alerts after every run (the send-alerts task); false = neither.
    enabled: bool = True
    # The day the rules look from (YYYY-MM-DD); empty = today. For re-running a past day, and for tests.
    peildatum: str = Field(default="", pattern=r"^(|\d{4}-\d{2}-\d{2})$")
    # Share of the run's rows that went to quarantine above which a warning is sent, in %.
    quarantaine_pct: float = Field(default=2.0, ge=0)
    # Day of the month by which every aanbieder with active toewijzingen has declared the previous month (0 = off).
    declaratie_dag: int = Field(default=15, ge=0, le=28)
    # Day of the month by which every JGT has delivered its export of the previous month (0 = off).
    jgt_export_dag: int = Field(default=10, ge=0, le=28)
    # Months in a row the median doorlooptijd (mart_doorlooptijd, totaal) must exceed the norm.
    doorlooptijd_maanden: int = Field(default=2, ge=1)
    # A month differing more than this % from the average of the 3 months before is a jump.
    sprong_pct: float = Field(default=30.0, gt=0)
    # ... but only when that average is at least this much (small numbers jump by nature).
    sprong_minimum: float = Field(default=10.0, ge=0)
    # Local and CBS jeugdhulp figures (mart_cbs_vergelijking) further apart than this % for the latest half-year.
    cbs_verschil_pct: float = Field(default=15.0, gt=0)
    # Severity per rule, to override the defaults (docs/alerts.md): ernst.sprong_aanmeldingen = "info".
    ernst: dict[str, Literal["fail", "warn", "info"]] = {}
    # Delivery: attempts per digest and channel, the pause between them (doubling), webhook timeout.
    pogingen: int = Field(default=3, ge=1, le=10)
    wachttijd_s: float = Field(default=1.0, ge=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # At most this many items per digest, the most severe and biggest first; the rest is counted ("en 12 meer") and
    # attached to the e-mail as a CSV. Teams and Slack may show fewer: each is cut to fit its own size limits.
    max_items: int = Field(default=25, ge=1, le=200)
    # A digest that fails in this many runs in a row is given up: its alerts count as told (not resent forever)
    # and the data recipients hear of it once, over their other channels.
    opgeven_na_runs: int = Field(default=3, ge=1, le=30)
    # GX Data Docs of each run go here (relative: to the config file's folder).
    data_docs_dir: Path = Path("data/data-docs")
    smtp: SmtpConfig = SmtpConfig()
    ontvangers: list[RecipientConfig] = []


class ReportConfig(_Section):
    # The folder the report site is written to (index.html, gemeente/GM0546.html; relative: to the config file).
    map: Path = Path("data/rapport")
    # Where readers open the published site (intranet URL or file share); alerts link into it. "" = not published.
    base_url: str = ""
    # PostgreSQL: the reader role each gemeente page is read through (SET LOCAL ROLE), and the region page's.
    lezers: dict[GemeenteCode, str] = {}
    regio_lezer: str = ""
    # Write the report after every `jeugdmonitor run` (and monitor flow run); `run --rapport` does it once.
    na_run: bool = False


class Settings(_Section):
    region: RegionConfig
    paths: PathsConfig = PathsConfig()
    warehouse: WarehouseConfig = WarehouseConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    ijw: IjwConfig = IjwConfig()
    jgt: JgtConfig = JgtConfig()
    cbs: CbsConfig = CbsConfig()
    marts: MartsConfig = MartsConfig()
    runs: RunsConfig = RunsConfig()
    alerts: AlertsConfig = AlertsConfig()
    report: ReportConfig = ReportConfig()
    # Budget per gemeente and year, in euros per quarter: budget.GM0546."2025" = [q1, q2, q3, q4].
    budget: dict[GemeenteCode, dict[str, list[float]]] = {}

    @field_validator("budget")
    @classmethod
    def _four_quarters(cls, value: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, list[float]]]:
        for gemeente, years in value.items():
            for year, quarters in years.items():
                if not year.isdigit() or len(quarters) != 4:
                    raise ValueError(f"budget.{gemeente}.{year}: give a year and four quarter amounts")
        return value

    @model_validator(mode="after")
    def _known_gemeenten(self) -> Settings:
        """Recipients and budgets name gemeenten of the region: a typo would otherwise go unnoticed (a recipient
        who never gets an alert, a budget never compared)."""
        region = set(self.region.gemeenten)
        named = [("budget", code) for code in self.budget] + [
            (f"alerts.ontvangers {r.naam!r}", code)
            for r in self.alerts.ontvangers
            if r.gemeenten != "all"
            for code in r.gemeenten
        ]
        for where, code in named:
            if code not in region:
                raise ValueError(f"{where}: gemeente {code} is not one of region.gemeenten")
        return self

    # The file these settings came from (None when built in code).
    source: Path | None = Field(default=None, exclude=True)


def find_config_file(explicit: Path | str | None = None) -> Path:
    if explicit:
        return Path(explicit)
    if env := os.environ.get("JEUGDMONITOR_CONFIG"):
        return Path(env)
    return Path.cwd() / "jeugdmonitor.toml"


def load_settings(path: Path | str | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the TOML file, apply environment overrides, resolve relative paths, validate."""
    config_file = find_config_file(path)
    try:
        raw = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file not found: {config_file}") from None
    except OSError as exc:  # a folder, no permission
        raise ConfigError(f"cannot read the configuration file {config_file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{config_file}: not a UTF-8 text file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: not valid TOML: {exc}") from None
    from_env = apply_env_overrides(raw, os.environ if environ is None else environ)
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        lines = "\n".join(f"  {line}" for line in validation_lines(exc, from_env))
        raise ConfigError(f"{config_file}: not a valid configuration:\n{lines}") from None
    settings.source = config_file
    settings = _resolve_paths(settings, config_file.resolve().parent)
    _check_region_files(settings, config_file)
    return settings


def _check_region_files(settings: Settings, config_file: Path) -> None:
    from jeugdmonitor import region

    try:
        region.check(settings)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config_file}: {exc}") from None


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says which file and what is wrong."""


def apply_env_overrides(raw: dict[str, Any], environ: dict[str, str] | os._Environ) -> dict[tuple[str, ...], str]:
    """Put the environment's overrides into `raw`; returns the variable behind each overridden key path."""
    applied: dict[tuple[str, ...], str] = {}
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        keys = [k.lower() for k in name[len(ENV_PREFIX) :].split("__") if k]
        if not keys:
            continue
        node = raw
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{name}: {key!r} is a value, not a section")
        node[keys[-1]] = value if _is_text(_annotation(keys)) else _parse_env_value(value)
        applied[tuple(keys)] = name
    return applied


def _annotation(keys: list[str]) -> Any:
    """The type of the setting at `keys` (section, key, ...), or None when there is no such setting."""
    annotation: Any = Settings
    for key in keys:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(key)
            if field is None:
                return None
            annotation = field.annotation
        elif get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return annotation


def _is_text(annotation: Any) -> bool:
    """A field whose every form is text (str, Path, a Literal of strings, optionally None): a value for it is
    taken as written, so `2026-01-20` stays a string and is not read as a TOML date."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        forms = [a for a in get_args(annotation) if a is not type(None)]
        return bool(forms) and all(_is_text(a) for a in forms)
    if origin is Literal:
        return all(isinstance(a, str) for a in get_args(annotation))
    return annotation in (str, Path)


def _parse_env_value(value: str) -> Any:
    try:
        return tomllib.loads(f"v = {value}")["v"]
    except tomllib.TOMLDecodeError:
        return value


def validation_lines(exc: ValidationError, from_env: dict[tuple[str, ...], str] | None = None) -> list[str]:
    """One line per wrong setting: `region.gemeenten[1]: gemeentecode 'leiden' is not GM + 4 digits`, with the
    environment variable when the value came from one."""
    lines = []
    for error in exc.errors(include_url=False):
        where = ""
        for part in error["loc"]:
            where += f"[{part}]" if isinstance(part, int) else (f".{part}" if where else str(part))
        names = [str(p) for p in error["loc"] if not isinstance(p, int)]
        variable = next((var for path, var in (from_env or {}).items() if tuple(names[: len(path)]) == path), None)
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where or 'configuration'}: {message}" + (f" (from ${variable})" if variable else ""))
    return lines


def _resolve_paths(settings: Settings, base: Path) -> Settings:
    def absolute(p: Path) -> Path:
        return p if p.is_absolute() else (base / p)

    def optional(p: Path | None) -> Path | None:
        return None if p is None else absolute(p)

    paths = settings.paths
    for name in ("data_dir", "ijw_inbox", "jgt_inbox", "cbs_inbox"):
        setattr(paths, name, absolute(getattr(paths, name)))
    settings.privacy.key_file = optional(settings.privacy.key_file)
    settings.ijw.xsd_dir = optional(settings.ijw.xsd_dir)
    settings.ijw.productcodes = optional(settings.ijw.productcodes)
    settings.ijw.productcategorieen = optional(settings.ijw.productcategorieen)
    settings.jgt.layouts_dir = optional(settings.jgt.layouts_dir)
    if settings.region.aanbieders == Path(DEMO):
        from jeugdmonitor.schemas import DEMO_AANBIEDERS

        settings.region.aanbieders = DEMO_AANBIEDERS
    else:
        settings.region.aanbieders = optional(settings.region.aanbieders)
    if settings.region.bestand == Path(DEMO):
        from jeugdmonitor.schemas.jgt_layouts import REGION_FILE

        settings.region.bestand = REGION_FILE
    else:
        settings.region.bestand = optional(settings.region.bestand)
    settings.alerts.data_docs_dir = absolute(settings.alerts.data_docs_dir)
    settings.report.map = absolute(settings.report.map)
    settings.warehouse.url = _resolve_sqlite_url(settings.warehouse.url, base)
    return settings


def _resolve_sqlite_url(url: str, base: Path) -> str:
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == "sqlite:///:memory:":
        return url
    path = Path(url[len(prefix) :])
    return url if path.is_absolute() else f"{prefix}{base / path}"
