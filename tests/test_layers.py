"""The floor plan holds: imports run one way through the layers, the demo code stays on the demo path, and
every package folder is in the wheel.

Layers, top to bottom (a module imports its own layer or lower ones only):
  1. jeugdmonitor.cli, jeugdmonitor.deployments, jeugdmonitor.flows
  2. the I/O packages (ijw, jgt, cbs, marts, alerts) and the plumbing modules at jeugdmonitor/ top level
  3. jeugdmonitor.transforms: pure; nothing of ours but other transforms and layer 4
  4. jeugdmonitor.schemas, jeugdmonitor.expectations
jeugdmonitor.synthetic (the generator and the CBS fixture server) is outside the layers: only the CLI, tests
and bench import it. The graph is read from the source (ast), imports inside functions included.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = {
    "jeugdmonitor": ROOT / "jeugdmonitor",
    "jeugdmonitor.flows": ROOT / "flows",
    "jeugdmonitor.transforms": ROOT / "transforms",
    "jeugdmonitor.schemas": ROOT / "schemas",
    "jeugdmonitor.expectations": ROOT / "expectations",
}
TOP = ("jeugdmonitor.cli", "jeugdmonitor.deployments", "jeugdmonitor.flows")
PURE = ("jeugdmonitor.transforms",)
BOTTOM = ("jeugdmonitor.schemas", "jeugdmonitor.expectations")
SYNTHETIC = "jeugdmonitor.synthetic"
OLD_ROOTS = {"flows", "transforms", "schemas", "expectations"}  # top-level names that no longer exist


def _within(module: str, prefixes: tuple[str, ...] | str) -> bool:
    return any(
        module == p or module.startswith(p + ".") for p in ((prefixes,) if isinstance(prefixes, str) else prefixes)
    )


def layer(module: str) -> int | None:
    """1 top, 2 I/O and plumbing, 3 pure, 4 bottom; None for the synthetic package (outside the layers)."""
    if _within(module, SYNTHETIC):
        return None
    if _within(module, TOP):
        return 1
    if _within(module, PURE):
        return 3
    if _within(module, BOTTOM):
        return 4
    return 2


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name, from the folders pyproject maps."""
    found = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            relative = path.relative_to(folder).with_suffix("")
            parts = [p for p in relative.parts if p != "__init__"]
            found[".".join([package, *parts])] = path
    return found


def imports(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, imported module) for every import in the file, relative ones resolved; `from a import b` gives
    a.b when that is a module of ours, else a."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = set(modules_cache())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                out.append((node.lineno, candidate if candidate in known else base))
    return out


_MODULES: dict[str, Path] = {}


def modules_cache() -> dict[str, Path]:
    if not _MODULES:
        _MODULES.update(modules())
    return _MODULES


def violations() -> list[str]:
    found = []
    for module, path in sorted(modules_cache().items()):
        here = layer(module)
        for line, target in imports(path, module):
            where = f"{path.relative_to(ROOT)}:{line} ({module}) imports {target}"
            if target.split(".")[0] in OLD_ROOTS:
                found.append(f"{where}: an old top-level name; import jeugdmonitor.{target}")
            if not _within(target, "jeugdmonitor"):
                continue
            if _within(target, SYNTHETIC):
                if here is not None and not _within(module, "jeugdmonitor.cli"):
                    found.append(f"{where}: only the CLI, tests and bench may import the synthetic package")
                continue
            there = layer(target)
            if here is not None and there < here:
                found.append(f"{where}: layer {here} imports layer {there} (upward)")
    return found


def test_imports_run_one_way_and_synthetic_stays_on_the_demo_path():
    assert violations() == []


def test_the_check_sees_an_upward_import_a_synthetic_one_and_a_relative_one(tmp_path, monkeypatch):
    top, pure = tmp_path / "jeugdmonitor", tmp_path / "transforms"
    for folder in (top / "synthetic", pure / "sub"):
        folder.mkdir(parents=True)
    for init in (top, top / "synthetic", pure, pure / "sub"):
        (init / "__init__.py").write_text("")
    (top / "config.py").write_text("")
    (pure / "ok.py").write_text("from jeugdmonitor.schemas import base\n")
    (pure / "sub" / "bad.py").write_text(
        "def f():\n    from jeugdmonitor import config\n    from ... import synthetic\n    from .. import ok\n"
    )
    monkeypatch.setattr("tests.test_layers.ROOT", tmp_path)
    packages = {"jeugdmonitor": top, "jeugdmonitor.transforms": pure}
    monkeypatch.setattr("tests.test_layers.PACKAGE_DIRS", packages)
    monkeypatch.setattr("tests.test_layers._MODULES", {})
    found = violations()
    assert len(found) == 2, found
    assert "transforms/sub/bad.py:2 (jeugdmonitor.transforms.sub.bad) imports jeugdmonitor.config" in found[0]
    assert "layer 3 imports layer 2 (upward)" in found[0]
    assert "bad.py:3 (jeugdmonitor.transforms.sub.bad) imports jeugdmonitor.synthetic" in found[1]
    assert "only the CLI, tests and bench" in found[1]


def test_every_package_folder_is_in_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    on_disk = {m for m, p in modules_cache().items() if p.name == "__init__.py"}
    assert on_disk == listed
