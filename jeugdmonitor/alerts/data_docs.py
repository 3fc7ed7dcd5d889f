"""GX Data Docs of a run: a local site on the validator's ephemeral context, built from the validation results
that the run's GX validations left in its in-memory store, then cleared, so each build shows one run."""

from __future__ import annotations

import shutil
from pathlib import Path

from jeugdmonitor import owner_only, validation

SITE = "jeugdmonitor_run"


def build(folder: Path) -> Path | None:
    """Build the site into `folder`; None when nothing was validated in this process since the last build (GX is
    not even imported then: a run without new deliveries costs no GX start-up)."""
    if validation.validator.cache_info().currsize == 0:
        return None
    context = validation.validator().context
    store = context.validation_results_store
    keys = store.list_keys()
    if not keys:
        return None
    # The folder is made 0700 before GX writes into it; GX gives its files the default mode, so they are made
    # owner-only after the build (unreachable meanwhile: the folder is private).
    folder = owner_only.make_dir(folder)
    # Only what GX itself writes is removed: the site shows this run, not every run that ever wrote here.
    for generated in ("validations", "expectations", "index.html"):
        target = folder / generated
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    sites = context.config.data_docs_sites or {}
    if SITE in sites and sites[SITE]["store_backend"]["base_directory"] != str(folder):
        context.delete_data_docs_site(SITE)  # another run (a test, another config) in the same process
        sites = {}
    if SITE not in sites:
        context.add_data_docs_site(
            SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(folder)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    context.build_data_docs(site_names=[SITE])
    owner_only.restrict_tree(folder)
    for key in keys:
        store.remove_key(key)
    return folder / "index.html"
