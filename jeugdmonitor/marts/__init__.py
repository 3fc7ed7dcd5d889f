"""Building the dimensions and marts (jeugdmonitor/mart_build/build.py has the how)."""

from jeugdmonitor.mart_build import pending
from jeugdmonitor.mart_build.build import build, build_gemeente
from jeugdmonitor.mart_build.inputs import read_inputs_many
from jeugdmonitor.mart_build.scope import changed_scope
from jeugdmonitor.mart_build.settings import BuildReport, BuildSettings, build_settings
from jeugdmonitor.mart_build.specs import LINKS, SPECS, Link, MartSpec

__all__ = ["LINKS", "SPECS", "BuildReport", "BuildSettings", "Link", "MartSpec", "build", "build_gemeente",
           "build_settings", "changed_scope", "pending", "read_inputs_many"]
