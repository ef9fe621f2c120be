"""Generate the reference pages of the documentation from the code and data.

Writes docs/generated/{parameters,cli,models,validation,references}.md: the parameter table from
data/parameters, the CLI reference from the Typer app, the model pages from module docstrings, the
validation results from the registered comparisons, and the bibliography; and docs/generated/api/, the API
reference pages (mkdocstrings directives, one page per concept folder, every module of the package listed).
Run: ``python docs/gen_pages.py [--out DIR] [--validation all|fast|none]`` (``--fast`` = ``--validation fast``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import typer.main

import microneedling
from microneedling.citations import bibliography, format_reference
from microneedling.cli import app
from microneedling.params import registry
from microneedling.validation.report import run_all

# Modules whose docstrings document the models, in the order data flows (a module listed here that does not
# exist fails the build: rename it here when it moves).
MODEL_MODULES = [
    "units", "params", "patient", "protocol", "tissue.skin", "mechanics.devices", "mechanics.insertion",
    "mechanics.punctures", "mechanics.injury", "mechanics.modalities", "healing.model", "healing.solvers",
    "healing.cohort", "healing.resolution", "healing.intervals",
    "tissue.scars", "outcomes.goodman_baron", "outcomes.raters", "course", "delivery.permeation",
    "delivery.pores", "delivery.membrane", "delivery.resealing", "delivery.topicals", "delivery.uptake",
    "trials.spec", "trials.population", "trials.run", "trials.sweep", "calibration.scar_fill",
    "calibration.trial_response", "healing.spatial", "healing.spatial.tissue", "healing.spatial.model",
    "healing.spatial.session", "clinic.candidacy", "clinic.zone_plan",
]

# API reference: one page per concept folder, bottom layer first (the order of the import-linter layers in
# pyproject.toml). A folder missing here still gets a page, after these, described by its own docstring.
API_FOLDERS = [
    ("tissue", "Layered facial skin by zone (`skin`); atrophic scar types, geometry and response (`scars`)."),
    ("mechanics", "Devices, needle insertion, the puncture field and the per-layer `Injury` of one session; "
                  "fractional laser and peel behind the same interface."),
    ("healing", "Wound healing and collagen remodelling: the ODE (`model`), its per-patient solvers "
                "(`solvers`), the batched cohort solver (`cohort`) and the reaction-diffusion patch (`spatial`)."),
    ("outcomes", "Goodman & Baron quantitative score and qualitative grade (`goodman_baron`); what a rater "
                 "records, with noise (`raters`)."),
    ("delivery", "Topical uptake through closing needle channels and through intact skin."),
    ("trials", "Virtual clinical trials: the spec, the virtual population, the run and parameter sweeps."),
    ("calibration", "Every fit that writes a `calibrated` parameter row."),
    ("clinic", "Candidacy rules and the per-zone needle plan."),
    ("planner", "The web planner for providers (FastAPI, SQLAlchemy, Alembic)."),
    ("report", "Self-contained HTML reports and the demo pipeline with its sections."),
    ("validation", "Every sub-model against published data: the registry of comparisons and the report."),
    ("cli", "The `microneedling` command line (Typer): one module per group of commands."),
]
def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameters_page() -> str:
    lines = ["# Parameters", "",
             "Every parameter of every model, generated from `src/microneedling/data/parameters/*.csv`. "
             "`status` is `published` (read in the primary source; `where` names the table, figure or "
             "sentence), `secondary` (read in a work citing the primary, named in `where`), `derived` (computed "
             "from the rows or function `where` names), `calibrated` (fitted by code in this repository to the "
             "data named in `fitted_to`) or `assumed` (set by hand; `where` gives the reason). "
             "`microneedling params --summary` counts them.", ""]
    by_set: dict[str, list] = {}
    for p in registry().values():
        by_set.setdefault(p.parameter_set, []).append(p)
    for set_name in sorted(by_set):
        lines += [f"## {set_name}", "", "| name | value | unit | range | status | source | where |",
                  "|---|---|---|---|---|---|---|"]
        for p in sorted(by_set[set_name], key=lambda q: q.name):
            extra = f" (fitted to {p.fitted_to})" if p.fitted_to else ""
            lines.append(f"| `{p.name}` | {p.value:g} | {p.unit} | [{p.low:g}, {p.high:g}] | {p.status}{_cell(extra)} "
                         f"| {p.source} | {_cell(p.where)} |")
        lines.append("")
    return "\n".join(lines)


def _type_name(prm) -> str:
    ann = prm.type_descriptor.annotation
    return getattr(ann, "__name__", None) or str(ann).replace("typing.", "")


def cli_page() -> str:
    group = typer.main.get_command(app)
    lines = ["# Command line", "", "Generated from the CLI. Every command takes `--help`; `--json` prints one JSON "
             "object on stdout; bad input exits with code 2 and one line naming the field, the value and what is "
             "allowed.", ""]
    for name in sorted(group.commands):
        cmd = group.commands[name]
        lines += [f"## `microneedling {name}`", "", inspect.cleandoc(cmd.help or ""), "",
                  "| option | type | default | help |", "|---|---|---|---|"]
        for prm in cmd.params:
            opts = ", ".join(f"`{o}`" for o in (*prm.opts, *prm.secondary_opts))
            default = "required" if prm.required else repr(str(prm.default) if hasattr(prm.default, "as_posix") else prm.default)
            lines.append(f"| {opts} | {_cell(_type_name(prm))} | {_cell(default)} "
                         f"| {_cell(getattr(prm, 'help', '') or '')} |")
        lines.append("")
    return "\n".join(lines)


def models_page() -> str:
    lines = ["# Models and equations", "",
             "Each module's documentation, in the order data flows from the provider's choices to the outcome. "
             "Parameters are listed on the Parameters page; sources on the References page.", ""]
    for short in MODEL_MODULES:
        mod = importlib.import_module(f"microneedling.{short}")
        lines += [f"## `microneedling.{short}`", "", inspect.cleandoc(mod.__doc__ or ""), ""]
        for fname, fobj in inspect.getmembers(mod, inspect.isfunction):
            if fname.startswith("_") or fobj.__module__ != mod.__name__ or not fobj.__doc__:
                continue
            lines += [f"### `{fname}`", "", "```text", inspect.cleandoc(fobj.__doc__), "```", ""]
    return "\n".join(lines)


PACKAGE_DIR = Path(microneedling.__file__).parent
# The flat modules at the top of the package, lowest layer first (others follow in name order).
CORE_ORDER = ["errors", "inputs", "config", "units", "citations", "params", "patient", "protocol", "course"]


def _modules(package: str) -> list[str]:
    """Dotted names of the modules of ``package`` and of its subpackages, depth first, by name."""
    names = []
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR.joinpath(*package.split(".")[1:]))]),
                       key=lambda i: i.name):
        if not info.name.startswith("_"):
            name = f"{package}.{info.name}"
            names += [name, *_modules(name)] if info.ispkg else [name]
    return names


def _package_summary(package: str) -> str:
    """First line of a package's docstring, read from its source without importing it."""
    doc = ast.get_docstring(ast.parse(PACKAGE_DIR.joinpath(*package.split(".")[1:], "__init__.py").read_text(
        encoding="utf-8"))) or ""
    return doc.splitlines()[0] if doc else ""


def _documents_itself(module: str) -> bool:
    """A module always gets an entry; a package only when its docstring says more than its own name."""
    if not PACKAGE_DIR.joinpath(*module.split(".")[1:]).is_dir():
        return True
    return _package_summary(module).strip() not in ("", f"{module.rsplit('.', 1)[-1]}.")


def _api_block(module: str) -> list[str]:
    """A mkdocstrings directive for one module. A package that only re-exports its modules' names shows its
    docstring alone: those names have their entries under the modules below it."""
    init = PACKAGE_DIR.joinpath(*module.split(".")[1:], "__init__.py")
    reexports_only = init.exists() and not any(
        isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for node in ast.parse(init.read_text(encoding="utf-8")).body)
    return [f"::: {module}", "    options:", "      show_submodules: false",
            *(["      members: false"] if reexports_only else []), ""]


def _summary(obj: object) -> str:
    """First paragraph of an object's own docstring (not one inherited or generated), as Markdown."""
    doc = vars(obj).get("__doc__") if inspect.isclass(obj) else obj.__doc__
    if not doc or (inspect.isclass(obj) and doc.startswith(f"{obj.__name__}(")):
        return ""
    text = inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ")
    text = re.sub(r":[a-z]+:`~?([\w.]+)`", r"`\1`", text)
    return text.replace("``", "`")


def top_level_page() -> str:
    """The names ``import microneedling as mn`` exports, each linked to its entry in the reference."""
    lines = ["# Top level: microneedling", "",
             "The names a script or notebook uses after `import microneedling as mn` (see the "
             "[Python tutorial](../../python-api.md)). Each is defined in one of the modules of the other pages; "
             "the link leads to its entry there (hover it for the full path).", "",
             "::: microneedling", "    options:", "      members: false", "      show_root_heading: false",
             "      show_root_toc_entry: false", "",
             "| name | summary |", "|---|---|"]
    for name in microneedling.__all__:
        if name.startswith("_"):
            continue
        obj = getattr(microneedling, name)
        path = f"{obj.__module__}.{obj.__qualname__}"
        lines.append(f"| [`mn.{name}`][{path}] | {_cell(_summary(obj))} |")
    return "\n".join(lines) + "\n"


def api_pages() -> dict[str, str]:
    """The API reference: an overview, the top-level names, the flat core modules and one page per folder."""
    folders = dict(API_FOLDERS)
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR)]), key=lambda i: i.name):
        if info.ispkg and info.name not in folders:
            folders[info.name] = _package_summary(f"microneedling.{info.name}")
    core = sorted((i.name for i in pkgutil.iter_modules([str(PACKAGE_DIR)])
                   if not i.ispkg and not i.name.startswith("_")),
                  key=lambda m: (CORE_ORDER.index(m) if m in CORE_ORDER else len(CORE_ORDER), m))
    pages = {"top-level.md": top_level_page(),
             "core.md": "\n".join(["# Core modules", "", "The flat modules at the top of the package, lowest "
                                   "layer first.", "", *[ln for m in core for ln in _api_block(f"microneedling.{m}")]])}
    overview = ["# API reference", "",
                "Generated from the docstrings and signatures of `src/microneedling/` by mkdocstrings: one page per "
                "concept folder, lowest layer first. A module imports only from its own folder and from the layers "
                "below it (see [Architecture](../../architecture.md)).", "",
                "| page | holds |", "|---|---|",
                "| [Top level](top-level.md) | the names exported for scripts and notebooks "
                "(`import microneedling as mn`) |",
                "| [Core modules](core.md) | " + ", ".join(f"`{m}`" for m in core) + " |"]
    for name, text in folders.items():
        overview.append(f"| [`{name}/`]({name}.md) | {text} |")
        body = [f"# microneedling.{name}", "", text, ""]
        for module in [f"microneedling.{name}", *_modules(f"microneedling.{name}")]:
            if _documents_itself(module):
                body += _api_block(module)
        pages[f"{name}.md"] = "\n".join(body)
    pages["index.md"] = "\n".join(overview) + "\n"
    return pages


def validation_page(results: list | None, fast: bool = False) -> str:
    """The comparisons' verdicts; ``results=None`` (``--validation none``) says the page was left out."""
    if results is None:
        return ("# Validation\n\nThe comparisons were not run for this build of the pages "
                "(`gen_pages.py --validation none`); `make docs` runs all of them, and "
                "`microneedling validate --out DIR` writes the full report with a figure per comparison.\n")
    passed = sum(c.passed for c in results)
    lines = ["# Validation", "",
             f"{passed} of {len(results)} comparisons between a model and published data are within their stated "
             "tolerance" + (" (fast subset)" if fast else "") + ". `microneedling validate --out DIR` writes the "
             "full report with a figure per comparison.", "",
             "| comparison | metric | error | tolerance | verdict | sources |", "|---|---|---|---|---|---|"]
    for c in results:
        lines.append(f"| {_cell(c.title)} | {_cell(c.metric)} | {c.error:.3g} | {c.tolerance:.3g} | "
                     f"{'pass' if c.passed else '**FAIL**'} | {', '.join(c.sources)} |")
    return "\n".join(lines) + "\n"


def references_page() -> str:
    lines = ["# References", "", "Generated from `src/microneedling/data/CITATIONS.bib`.", ""]
    for key in sorted(bibliography(), key=str.lower):
        lines.append(f"- **{key}**: {_cell(format_reference(key))}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "generated")
    ap.add_argument("--validation", choices=("all", "fast", "none"), default="all",
                    help="which model-vs-data comparisons the Validation page runs (none: a page saying so)")
    ap.add_argument("--fast", action="store_const", dest="validation", const="fast", help="= --validation fast")
    args = ap.parse_args()
    microneedling.configure()  # float64 and one XLA device per core, before the first computation
    args.out.mkdir(parents=True, exist_ok=True)
    results = None if args.validation == "none" else run_all(fast_only=args.validation == "fast")
    pages = {"parameters.md": parameters_page(), "cli.md": cli_page(), "models.md": models_page(),
             "validation.md": validation_page(results, fast=args.validation == "fast"),
             "references.md": references_page()}
    for name, text in pages.items():
        (args.out / name).write_text(text, encoding="utf-8")
    api_dir = args.out / "api"
    api_dir.mkdir(exist_ok=True)
    for old in api_dir.glob("*.md"):
        old.unlink()
    for name, text in api_pages().items():
        (api_dir / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
