"""The report site on a generated two-gemeente world run through the monitor flow (CBS included): every page and
workbook is written, every section of the contract is there, nothing leaves the site or needs a network, no page
holds a BSN, a pseudonym or a count below the threshold, and on PostgreSQL a page read through a gemeente's reader
role cannot show another gemeente's rows."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape as html_unescape
from pathlib import Path

import pytest
from jeugdmonitor.flows.monitor import monitor
from jeugdmonitor.transforms.report.page import SECTIONS
from openpyxl import load_workbook

from jeugdmonitor import access
from jeugdmonitor.config import load_settings
from jeugdmonitor.report import data
from jeugdmonitor.report.build import reading_as, write_report
from jeugdmonitor.synthetic import generate
from jeugdmonitor.synthetic.cbs_server import serving
from jeugdmonitor.warehouse import make_engine
from tests.flows.test_monitor_flow import write_config
from tests.test_access import roles  # noqa: F401  (a fixture)

GEMEENTEN = ("GM0546", "GM0547")
ROOT = Path(__file__).resolve().parents[2]
THRESHOLD = 10
BSN_RUN = re.compile(r"(?<!\d)\d{9}(?!\d)")
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report-world")
    generate(root / "inbox", gemeenten=list(GEMEENTEN), start="2025-01", months=6, scale=0.5, defects=0.01)
    return root


def configure(world: Path, url: str, extra: str = "", name: str = "jeugdmonitor") -> Path:
    """A config in the world's folder (its inbox paths are relative to it), one file per backend."""
    config = write_config(world, url, gemeenten=GEMEENTEN).rename(world / f"{name}.toml")
    demo = (ROOT / "jeugdmonitor.toml").read_text(encoding="utf-8")
    cbs = demo[demo.index("[cbs]") : demo.index("[marts]")]
    budget = '[budget]\nGM0546 = { "2025" = [9e6, 9e6, 9e6, 9e6] }\n'
    config.write_text(f"{config.read_text(encoding='utf-8')}\n{extra}\n{budget}\n{cbs}", encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def sqlite_site(world, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("report-sqlite")
    config = configure(world, f"sqlite:///{folder / 'warehouse.sqlite'}", name="sqlite")
    settings = load_settings(config)
    with serving(settings):
        monitor(str(config))
    engine = make_engine(settings.warehouse.url)
    write_report(engine, settings, folder / "rapport")
    engine.dispose()
    return folder / "rapport", config


def test_the_site_has_the_region_page_a_page_and_workbook_per_gemeente_and_every_section(sqlite_site):
    site, _ = sqlite_site
    assert (site / "index.html").exists() and (site / "definities.html").exists()
    definitions = (site / "definities.html").read_text(encoding="utf-8")
    for code in GEMEENTEN:
        html = (site / "gemeente" / f"{code}.html").read_text(encoding="utf-8")
        assert re.findall(r'<section id="([a-z]+)"', html) == list(SECTIONS)
        for anchor in re.findall(r'href="\.\./definities\.html#([a-z]+)"', html):
            assert f'id="{anchor}"' in definitions
        assert "://" not in html and "src=" not in html  # nothing is fetched: it opens from disk, offline
        assert (site / "gemeente" / f"{code}.html").stat().st_size < 3_000_000
        assert "Nog geen cijfers" not in html.split('id="jeugdhulpgebruik"')[1].split("</section>")[0]
        assert html.count('class="grafiek"') >= 8
        book = load_workbook(site / "gemeente" / f"{code}.xlsx", read_only=True)
        assert {"aanmeldingen", "doorlooptijd", "kosten", "datakwaliteit"} <= set(book.sheetnames)
        codes = {row[0] for row in book["aanmeldingen"].iter_rows(min_row=2, values_only=True)}
        assert codes == {code}
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="gemeente/{code}.html"' in index for code in GEMEENTEN)


def _elf_proef(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits, [9, 8, 7, 6, 5, 4, 3, 2, -1], strict=True))
    return total % 11 == 0 and digits != "000000000"


def test_no_page_holds_a_bsn_a_pseudonym_or_a_count_below_the_threshold(sqlite_site):
    site, _ = sqlite_site
    shown = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not [run for run in BSN_RUN.findall(html) if _elf_proef(run)], page
        assert not HEX64.findall(html), page
        counts = [int(n) for n in re.findall(r'data-aantal="(-?\d+)"', html)]
        assert all(n == 0 or n >= THRESHOLD for n in counts), (page, sorted(counts)[:5])
        shown += len(counts)
    assert shown > 50  # the counts are marked, so the check above saw them
    for book_path in site.rglob("*.xlsx"):
        book = load_workbook(book_path, read_only=True)
        text = " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
        assert not [run for run in BSN_RUN.findall(text) if _elf_proef(run)] and not HEX64.findall(text), book_path
    assert "onderdrukt</td>" in (site / "gemeente" / "GM0547.html").read_text(encoding="utf-8")


@pytest.mark.postgres
def test_a_page_read_through_a_gemeente_reader_cannot_hold_another_gemeentes_rows(world, pg_url, roles, tmp_path):  # noqa: F811
    engine = make_engine(pg_url)
    leiden, regio = roles(), roles()
    config = configure(
        world,
        pg_url,
        name="postgres",
        extra=f'[report]\nregio_lezer = "{regio}"\nlezers = {{ GM0546 = "{leiden}", GM0547 = "{leiden}" }}\n',
    )
    settings = load_settings(config)
    with serving(settings):
        monitor(str(config))
    access.grant_reader(engine, leiden, ["GM0546"])
    access.grant_reader(engine, regio, regio=True)
    with engine.connect() as conn:  # the owner sees both gemeenten
        assert not data.aanmeldingen(conn, "GM0547").empty
    with reading_as(engine, leiden) as conn:
        assert not data.aanmeldingen(conn, "GM0546").empty
        assert all(frame.empty for frame in data.figures(conn, "GM0547").values())
    # GM0547's page is (wrongly, on purpose) configured with Leiden's reader: it shows nothing of GM0547
    write_report(engine, settings, tmp_path / "rapport")
    other = (tmp_path / "rapport" / "gemeente" / "GM0547.html").read_text(encoding="utf-8")
    own = (tmp_path / "rapport" / "gemeente" / "GM0546.html").read_text(encoding="utf-8")
    assert "data-aantal" not in other and "data-aantal" in own
    engine.dispose()


# A test copy of a page gets this at the end of its body: it records script errors and, once the browser has laid
# the page out, how many marks of each chart have a size on screen; --dump-dom then shows the result.
CHECKER = """<script>
window.__errors = [];
window.addEventListener("error", e => window.__errors.push(String(e.message)));
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("svg.grafiek")].map(svg => ({
    id: svg.id,
    drawn: [...svg.querySelectorAll(".mark")]
      .filter(m => { const b = m.getBBox(); return b.width > 0 || b.height > 0; }).length,
  }));
  const out = document.createElement("pre");
  out.id = "browsertest";
  out.textContent = JSON.stringify({errors: window.__errors, charts: charts});
  document.body.appendChild(out);
});
</script>"""
ARTEFACTS = ROOT / "build" / "test-artefacts"


def chromium() -> str:
    import os

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (CI must test the report in a browser; apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


def browse(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--no-first-run",
            "--allow-file-access-from-files",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["index.html", "gemeente/GM0546.html"])
def test_a_real_browser_renders_every_chart_without_errors_and_keeps_a_screenshot(sqlite_site, name, tmp_path):
    import json

    site, _ = sqlite_site
    original = site / name
    copy = original.with_name(f"browsertest-{original.name}")
    copy.write_text(original.read_text(encoding="utf-8").replace("</body>", CHECKER + "</body>"), encoding="utf-8")
    try:
        run = browse(copy, "--dump-dom", "--virtual-time-budget=5000")
    finally:
        copy.unlink()
    assert run.returncode == 0, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    result = json.loads(html_unescape(re.search(r'<pre id="browsertest">(.*?)</pre>', run.stdout, re.S).group(1)))
    assert result["errors"] == []
    expected = original.read_text(encoding="utf-8").count('class="grafiek"')
    assert len(result["charts"]) == expected >= 2
    assert all(chart["drawn"] > 0 for chart in result["charts"]), result["charts"]

    shot = tmp_path / f"{original.stem}.png"
    run = browse(original, f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars")
    assert run.returncode == 0 and shot.stat().st_size > 10_000, run.stderr[-2000:]
    pdf = tmp_path / f"{original.stem}.pdf"  # the print stylesheet (A4) as the browser prints it
    run = browse(original, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert run.returncode == 0 and pdf.read_bytes().startswith(b"%PDF"), run.stderr[-2000:]
    sizes = {
        tuple(round(float(x)) for x in box.split()[2:])
        for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf.read_bytes())
    }
    assert sizes == {(595, 842)}  # A4 portrait, from @page in the print stylesheet
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, ARTEFACTS / f"rapport-{original.stem}.png")
    shutil.copy(pdf, ARTEFACTS / f"rapport-{original.stem}.pdf")


def test_the_report_command_writes_one_gemeente_and_names_a_wrong_one_in_one_line(sqlite_site, tmp_path):
    from typer.testing import CliRunner

    from jeugdmonitor.cli import app

    _, config = sqlite_site
    out = tmp_path / "site"
    done = CliRunner().invoke(app, ["report", "--config", str(config), "--out", str(out), "--gemeente", "GM0547"])
    assert done.exit_code == 0, done.output
    assert (out / "gemeente" / "GM0547.html").exists() and not (out / "gemeente" / "GM0546.html").exists()
    assert (out / "index.html").as_uri() in done.output.replace("\n", "")
    wrong = CliRunner().invoke(app, ["report", "--config", str(config), "--out", str(out), "--gemeente", "GM0363"])
    assert wrong.exit_code != 0 and "GM0363" in wrong.output and "Traceback" not in wrong.output


@pytest.mark.postgres
def test_on_postgresql_a_gemeente_without_a_reader_role_stops_the_report_before_any_page(pg_url, tmp_path):
    from jeugdmonitor.warehouse import upgrade

    config = configure(tmp_path, pg_url, '[report]\nregio_lezer = "lezer_regio"\n')
    engine = make_engine(pg_url)
    upgrade(engine)
    with pytest.raises(Exception, match="report.lezers has no reader role for GM0546, GM0547"):
        write_report(engine, load_settings(config), tmp_path / "rapport")
    assert not (tmp_path / "rapport").exists()
    engine.dispose()


def test_the_rapport_flow_writes_the_site_into_report_map(sqlite_site, tmp_path):
    from jeugdmonitor.flows.report import rapport

    _, config = sqlite_site
    target = tmp_path / "gepubliceerd"
    moved = config.with_name("rapport-flow.toml")
    moved.write_text(config.read_text(encoding="utf-8") + f'\n[report]\nmap = "{target}"\n', encoding="utf-8")
    assert rapport(str(moved)) == str(target / "index.html")
    assert (target / "gemeente" / "GM0546.html").exists() and (target / "gemeente" / "GM0547.xlsx").exists()
