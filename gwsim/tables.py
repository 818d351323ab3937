"""Result tables as CSV and Markdown (written atomically)."""

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


def write_table(rows: list[dict], folder: str | Path, stem: str) -> list[Path]:
    """``<stem>.csv`` and ``<stem>.md`` in ``folder``; returns both paths."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_columns(rows))
    writer.writeheader()
    writer.writerows(rows)
    paths = []
    for suffix, text in ((".csv", buf.getvalue()), (".md", markdown_table(rows))):
        path = Path(folder) / f"{stem}{suffix}"
        with atomic_path(path) as tmp:
            tmp.write_text(text)
        paths.append(path)
    return paths
