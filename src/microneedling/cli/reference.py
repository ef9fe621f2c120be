"""``microneedling params`` and ``microneedling citations``: the parameter table and its sources."""

from __future__ import annotations

import typer
from rich.table import Table

from microneedling.citations import bibliography, format_reference
from microneedling.cli import app
from microneedling.cli.common import print_json, stdout
from microneedling.errors import InputError
from microneedling.params import STATUSES, format_status_counts, registry, status_counts


@app.command()
def params(
    prefix: str = typer.Option("", "--prefix", help="Only parameters whose name starts with this."),
    status: str = typer.Option("", "--status", help=f"Only parameters of this status ({', '.join(STATUSES)})."),
    summary: bool = typer.Option(False, "--summary", help="Print only the count of parameters per status."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List parameters with value, unit, plausible range, status and source, and the count per status."""
    if status and status not in STATUSES:
        raise InputError("status", status, f"must be one of {list(STATUSES)}")
    rows = [p for name, p in sorted(registry().items()) if name.startswith(prefix)]
    if not rows:
        raise InputError("prefix", prefix, "matches no parameter name")
    rows = [p for p in rows if not status or p.status == status]
    counts = status_counts(rows)
    if json_output:
        print_json({"summary": counts} if summary else {"parameters": [p.__dict__ for p in rows], "summary": counts})
        return
    if not summary:
        table = Table("name", "value", "unit", "range", "status", "source", "where")
        for p in rows:
            table.add_row(p.name, f"{p.value:g}", p.unit, f"[{p.low:g}, {p.high:g}]", p.status, p.source, p.where)
        stdout.print(table)
    stdout.print(format_status_counts(counts), highlight=False)


@app.command()
def citations(
    key: str = typer.Option("", "--key", help="Only this citation key."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """List the bibliography (data/CITATIONS.bib)."""
    bib = bibliography()
    keys = sorted(bib) if not key else [key]
    if key and key not in bib:
        raise InputError("key", key, f"must be one of {sorted(bib)}")
    if json_output:
        print_json({"citations": {k: bib[k] for k in keys}})
        return
    for k in keys:
        stdout.print(f"[bold]{k}[/bold] {format_reference(k)}", highlight=False)
