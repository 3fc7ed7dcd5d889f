"""The reason catalogue (transforms/reasons.py) holds every code that the GX suites and the code name, each with a
Dutch sentence that renders: a code missing from it crashes rejection(), or, for a GX finding, falls back to the
expectation's English rule in meta_validation_result and the alerts."""

from __future__ import annotations

import ast
import string
from pathlib import Path

from jeugdmonitor.expectations import load_suite_json, suite_names
from jeugdmonitor.transforms.reasons import REASONS, rejection

from tests.test_layers import modules

SUITES = {"stg_jw323_prestatie", "stg_jgt_registratie", "stg_cbs_waarneming"}
# The callables whose first argument is a reason code (transforms/reasons.py).
CODE_TAKERS = {"rejection", "FileRejected"}


def unknown_suite_codes(suite: dict) -> list[str | None]:
    """The reason codes of `suite`'s expectations that the catalogue lacks; None for an expectation without one
    (validation then takes the expectation type for its code, which has no Dutch text)."""
    codes = [expectation.get("meta", {}).get("reason_code") for expectation in suite["expectations"]]
    return [code for code in codes if code not in REASONS]


def literal_codes(path: Path) -> list[tuple[int, str]]:
    """(line, code) for every rejection("code") and FileRejected("code") in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        first = node.args[0]
        if name in CODE_TAKERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
            found.append((node.lineno, first.value))
    return found


def test_every_suite_names_reason_codes_of_the_catalogue():
    names = suite_names()
    assert SUITES <= set(names)
    assert {name: unknown_suite_codes(load_suite_json(name)) for name in names} == {name: [] for name in names}


def test_the_suite_check_finds_an_unknown_code_and_a_missing_one():
    suite = {
        "expectations": [
            {"meta": {"reason_code": "amount_mismatch"}},
            {"meta": {"reason_code": "no_such_code"}},
            {"meta": {"severity": "warn"}},
        ]
    }
    assert unknown_suite_codes(suite) == ["no_such_code", None]


def test_every_code_the_package_names_is_in_the_catalogue():
    found = [(module, line, code) for module, path in modules().items() for line, code in literal_codes(path)]
    assert len(found) > 20  # the check reads the calls at all
    assert [f for f in found if f[2] not in REASONS] == []


def test_the_code_check_reads_calls_by_name_and_by_attribute(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        'rejection("bsn_invalid")\nraise reasons.FileRejected("no_such_code", "x")\nprint("empty_file")\n'
    )
    assert literal_codes(source) == [(1, "bsn_invalid"), (2, "no_such_code")]


def test_every_catalogue_code_has_a_sentence_that_renders():
    """Placeholders are the two that rejection() fills in; the rendered reason is a sentence."""
    placeholders = {
        code: {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        for code, text in REASONS.items()
    }
    assert {code: names for code, names in placeholders.items() if not names <= {"field", "detail"}} == {}
    rendered = {code: rejection(code, field="Veld", detail="uitleg").reden for code in REASONS}
    assert [
        code for code, reden in rendered.items() if not (reden[:1].isupper() and reden.endswith((".", "uitleg")))
    ] == []
