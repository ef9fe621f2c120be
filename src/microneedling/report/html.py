"""Self-contained HTML reports: sections of text, tables and embedded PNG figures, ending with references.

Written atomically: the report folder appears complete or not at all.
"""

from __future__ import annotations

import base64
import html
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from microneedling import __version__  # noqa: E402
from microneedling.citations import format_references  # noqa: E402


def figure_to_data_uri(fig) -> str:
    """PNG data URI of a matplotlib figure (closes the figure)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@dataclass
class Section:
    title: str
    blocks: list[str] = field(default_factory=list)

    def text(self, paragraph: str) -> Section:
        self.blocks.append(f"<p>{html.escape(paragraph)}</p>")
        return self

    def table(self, header: list[str], rows: list[list[Any]], caption: str = "") -> Section:
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>" for row in rows
        )
        self.blocks.append(f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        return self

    def figure(self, fig, caption: str) -> Section:
        uri = figure_to_data_uri(fig)
        self.blocks.append(
            f'<figure><img alt="{html.escape(caption)}" src="{uri}"/>'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
        return self


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


_CSS = """
body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}
h1{border-bottom:2px solid #446}h2{margin-top:2em;color:#335}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:right}
th{background:#eef}caption{caption-side:top;font-style:italic;text-align:left}
figure{margin:1em 0}img{max-width:100%}figcaption{font-size:90%;color:#555}
.refs li{margin:.3em 0;font-size:90%}
"""


def render_html(title: str, sections: list[Section], references: list[str] | None = None) -> str:
    refs = format_references() if references is None else references
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p>microneedling {html.escape(__version__)}</p>",
    ]
    for s in sections:
        parts.append(f"<h2>{html.escape(s.title)}</h2>")
        parts.extend(s.blocks)
    parts.append("<h2>References</h2><ol class='refs'>")
    parts.extend(f"<li>{html.escape(r)}</li>" for r in refs)
    parts.append("</ol></body></html>")
    return "".join(parts)


def write_outputs(out_dir: str | Path, files: dict[str, str | bytes]) -> Path:
    """Write ``files`` (name -> content) into ``out_dir`` atomically per file.

    Each file goes to a temporary sibling and is renamed into place, so no half-written file is left
    if the run fails midway; the folder is created if needed.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, content in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            os.chmod(tmp, 0o666 & ~_umask())
            staged.append((Path(tmp), out / name))
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
