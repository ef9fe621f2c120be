"""Generate the reference pages of the documentation from the code and data.

Writes docs/generated/{parameters,cli,models,validation,references}.md: the parameter table from
data/parameters, the CLI reference from the Typer app, the model pages from module docstrings, the
validation results from the registered comparisons, and the bibliography.
Run: ``python docs/gen_pages.py [--out DIR] [--fast]``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
from pathlib import Path

import typer.main

from microneedling.citations import bibliography, format_reference
from microneedling.cli import app
from microneedling.params import registry
from microneedling.validation.report import run_all

# Modules whose docstrings document the models, in data-flow order (missing ones are skipped).
MODEL_MODULES = [
    "units", "params", "skin", "devices", "insertion", "punctures", "injury", "modalities", "healing", "scars",
    "scoring", "course", "permeation", "hindered_diffusion", "membrane_diffusion", "resealing", "delivery",
    "topicals", "population",
    "scales", "trial", "calibration", "sweep", "spatial", "candidacy", "zone_plan",
]


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def parameters_page() -> str:
    lines = ["# Parameters", "",
             "Every parameter of every model, generated from `src/microneedling/data/parameters/*.csv`. "
             "`status` is `published` (read from the source), `derived` (computed from published values as "
             "`where` says) or `calibrated` (fitted to the data named in `fitted_to`).", ""]
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
        try:
            mod = importlib.import_module(f"microneedling.{short}")
        except ModuleNotFoundError:
            continue
        lines += [f"## `microneedling.{short}`", "", inspect.cleandoc(mod.__doc__ or ""), ""]
        for fname, fobj in inspect.getmembers(mod, inspect.isfunction):
            if fname.startswith("_") or fobj.__module__ != mod.__name__ or not fobj.__doc__:
                continue
            lines += [f"### `{fname}`", "", "```text", inspect.cleandoc(fobj.__doc__), "```", ""]
    return "\n".join(lines)


def validation_page(fast: bool) -> str:
    results = run_all(fast_only=fast)
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
    ap.add_argument("--fast", action="store_true", help="only the fast validation comparisons")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = {"parameters.md": parameters_page(), "cli.md": cli_page(), "models.md": models_page(),
             "validation.md": validation_page(args.fast), "references.md": references_page()}
    for name, text in pages.items():
        (args.out / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
