"""`jeugdmonitor init`: the starting files of a new region, commented, in a folder of its own.

jeugdmonitor.toml (the configuration, production-minded: PostgreSQL from the environment, no key file created),
regio.toml (the region file: gemeenten, teams with their wijken, herindelingen) and aanbieders.csv (header only).
Existing files are never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from jeugdmonitor.config import check_gemeentecodes
from jeugdmonitor.owner_only import make_dir
from jeugdmonitor.schemas import AANBIEDER_COLUMNS

CONFIG = "jeugdmonitor.toml"
REGION = "regio.toml"
AANBIEDERS = "aanbieders.csv"
INBOXES = ("data/inbox/ijw", "data/inbox/jgt", "data/inbox/cbs")


class StarterExists(RuntimeError):
    """A file `init` would write is already there."""


def write_starter(folder: Path, naam: str, gemeenten: list[str], jeugdregio: str = "") -> list[Path]:
    """Write the three files into `folder` (created when missing); the paths written. Raises StarterExists (and
    writes nothing) when one of them exists, ValueError for a gemeentecode that is not GM + 4 digits."""
    check_gemeentecodes(gemeenten)
    if not gemeenten:
        raise ValueError("give at least one gemeente (--gemeente GM0518)")
    files = {
        folder / CONFIG: _config(naam, gemeenten, jeugdregio),
        folder / REGION: _region(naam, gemeenten),
        folder / AANBIEDERS: ",".join(AANBIEDER_COLUMNS) + "\n",
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise StarterExists(f"{', '.join(str(p) for p in existing)} already exist(s); nothing written")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    # the inboxes of the configuration (`run` refuses a missing inbox: in production that is a wrong mount); they
    # will hold raw BSNs, so only the owner may read them
    for inbox in INBOXES:
        make_dir(folder / inbox)
    return list(files)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _config(naam: str, gemeenten: list[str], jeugdregio: str) -> str:
    codes = ", ".join(_toml_string(g) for g in gemeenten)
    return f"""# jeugdmonitor configuration for {naam}, written by `jeugdmonitor init`. docs/configuration.md explains
# every key; docs/operations.md the daily work. Relative paths are relative to the folder of this file.
# Every value can be overridden from the environment: JEUGDMONITOR__<SECTION>__<KEY>, e.g.
#   JEUGDMONITOR__WAREHOUSE__URL=postgresql+psycopg://monitor@db/jeugdmonitor

[region]
naam = {_toml_string(naam)}
# CBS jeugdregio code (JZ + 2 digits); check it against CBS "Gebieden in Nederland" for your year.
jeugdregio = {_toml_string(jeugdregio)}
# Every gemeente here must be in the region file under [gemeenten].
gemeenten = [{codes}]
# The region file: gemeente names, the JGT teams with the wijken they serve, herindelingen.
bestand = "{REGION}"
# Aanbieders (CSV: agb_code,naam): their names in dim_aanbieder; add a line per contracted aanbieder.
aanbieders = "{AANBIEDERS}"

[paths]
data_dir = "data"
# Where the iJw messages (XML) arrive: the export of the gemeente's berichtensysteem, one folder per delivery.
ijw_inbox = "data/inbox/ijw"
# Where the JGT teams put their monthly exports (CSV or XLSX, e.g. TEAM_2025-01.csv).
jgt_inbox = "data/inbox/jgt"
cbs_inbox = "data/inbox/cbs"

[warehouse]
# SQLite to try things out; PostgreSQL in production, set from the environment (JEUGDMONITOR__WAREHOUSE__URL).
url = "sqlite:///data/warehouse.sqlite"

[privacy]
# The pseudonymisation key (hex, at least 32 bytes) comes from this environment variable, else the Prefect Secret
# block, else the key file. Keep it safe: another key gives other pseudonyms (docs/privacy.md).
key_env = "JEUGDMONITOR_PSEUDONYM_KEY"
key_block = ""
key_file = ""
create_key_file = false
suppression_threshold = 10

[ijw]
# Folder with the iJw 3.2 XSDs; empty = no XSD validation.
xsd_dir = ""
# The productcode table (CSV: product_code, product_categorie, omschrijving, klasse, vorm, maatregel) of your
# contracts; empty = the bundled table (the national codes the synthetic region uses).
productcodes = ""

[jgt]
# A folder with your own JGT layout TOMLs when the teams' exports match none of the bundled ones (docs/jgt.md).
layouts_dir = ""

[cbs]
base_url = "https://opendata.cbs.nl"
api = "v3"
extra_regions = ["NL01"]

[[cbs.tables]]
purpose = "jeugdzorg"
table_id = "85099NED"
rounded = true

[[cbs.tables]]
purpose = "jeugdbescherming"
table_id = "82975NED"
rounded = true

[[cbs.tables]]
purpose = "bevolking"
table_id = "03759ned"
[cbs.tables.select]
Geslacht = ["Totaal mannen en vrouwen"]
BurgerlijkeStaat = ["Totaal burgerlijke staat"]
# The single years 0-17: the marts sum them to the 0-17 population (a category the table lacks fails the table).
Leeftijd = ["Totaal", "0 jaar", "1 jaar", "2 jaar", "3 jaar", "4 jaar", "5 jaar", "6 jaar", "7 jaar", "8 jaar",
            "9 jaar", "10 jaar", "11 jaar", "12 jaar", "13 jaar", "14 jaar", "15 jaar", "16 jaar", "17 jaar"]

[[cbs.tables]]
purpose = "gebieden"
title_startswith = "Gebieden in Nederland"

[marts]
doorlooptijd_norm_dagen = 42
herregistratie_dagen = 30

[alerts]
enabled = true

# Who gets the alerts; one block per recipient (docs/alerts.md).
# [[alerts.ontvangers]]
# naam = "Team data"
# rol = "data"              # beleid | data | contract
# gemeenten = "all"
# email = "data@gemeente.example"
"""


def _region(naam: str, gemeenten: list[str]) -> str:
    names = "\n".join(
        f"{g} = {_toml_string(g)}  # replace by the gemeente's name as the JGT exports write it" for g in gemeenten
    )
    first = gemeenten[0]
    return f"""# Region file of {naam}, written by `jeugdmonitor init` (region.bestand in jeugdmonitor.toml).
# Gemeenten by code, with their names as the JGT exports write them (matched case-insensitively).

[gemeenten]
{names}

# Herindelingen: an old gemeentecode (or its old name) is counted with the gemeente that absorbed it.
# [herindeling]
# GM0000 = {{ naar = "{first}", naam = "Oude gemeente", per = 2019-01-01 }}

# The Jeugd- en Gezinsteams: code and name as the exports write them, the gemeente they work for, and the CBS
# wijkcodes (WK + the gemeente's 4 digits + 2) of the wijken they serve. A team without an export for a month is
# published as "niet geleverd" in the team marts, never as 0.
# [[teams]]
# code = "TEAM-NOORD"
# naam = "JGT Noord"
# gemeentecode = "{first}"
# wijken = ["WK{first[2:]}01", "WK{first[2:]}02"]
"""
