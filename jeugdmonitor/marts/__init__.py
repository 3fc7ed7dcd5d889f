"""Building the dimensions and marts: the I/O half of the mart stage (the logic is in transforms/marts;
build.py has the how)."""

from jeugdmonitor.marts import pending
from jeugdmonitor.marts.build import build, build_gemeente
from jeugdmonitor.marts.inputs import read_inputs_many
from jeugdmonitor.marts.registry import LINKS, MARTS, SPECS, Link, Mart
from jeugdmonitor.marts.scope import changed_scope
from jeugdmonitor.marts.settings import BuildReport, BuildSettings, build_settings

__all__ = [
    "LINKS",
    "MARTS",
    "SPECS",
    "BuildReport",
    "BuildSettings",
    "Link",
    "Mart",
    "build",
    "build_gemeente",
    "build_settings",
    "changed_scope",
    "pending",
    "read_inputs_many",
]
