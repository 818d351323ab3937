"""Result tables as CSV and Markdown, written atomically, with provenance.

The CSV starts with ``# key: value`` comment lines carrying the provenance attributes (pandas reads
it with ``comment="#"``); the Markdown has an optional title and notes and ends with the provenance.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gwsim.provenance import atomic_path


def _columns(rows: list[dict]) -> list[str]:
    return list(dict.fromkeys(k for row in rows for k in row))


def markdown_table(rows: list[dict]) -> str:
    """A Markdown table of ``rows`` (columns in order of first appearance)."""
    if not rows:
        return "(no rows)\n"
    columns = _columns(rows)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def write_table(
    rows: list[dict],
    folder: str | Path,
    stem: str,
    attrs: dict | None = None,
    title: str = "",
    notes: str = "",
) -> list[Path]:
    """``<stem>.csv`` and ``<stem>.md`` in ``folder``; returns both paths."""
    attrs = attrs or {}
    buf = io.StringIO()
    buf.writelines(f"# {k}: {v}\n" for k, v in attrs.items())
    writer = csv.DictWriter(buf, fieldnames=_columns(rows))
    writer.writeheader()
    writer.writerows(rows)
    md = ([f"# {title}", ""] if title else []) + [markdown_table(rows).rstrip()]
    if notes:
        md += ["", notes]
    if attrs:
        md += ["", "Provenance:", ""] + [f"- {k}: {v}" for k, v in attrs.items()]
    paths = []
    for suffix, text in ((".csv", buf.getvalue()), (".md", "\n".join(md) + "\n")):
        path = Path(folder) / f"{stem}{suffix}"
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
