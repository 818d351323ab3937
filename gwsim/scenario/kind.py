"""The protocol every scenario kind follows: read and check everything, then run, then write.

A kind is a class registered in :data:`gwsim.scenario.registry.SCENARIO_KINDS` under the name a
scenario file gives as ``kind``. It is a structural :class:`~typing.Protocol`, not a base class:
the kinds (flow, key zones, enterprise risk) live in their own packages and need not import this
package, so the registry can import them without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol


class ScenarioKind(Protocol):
    """A validated scenario of one kind.

    1. ``from_dict(data, path)`` parses and validates the scenario file's table (``path`` is the
       resolved file; relative paths in it are relative to its folder) and every input it names,
       raising :class:`~gwsim.errors.SpecError` for the first problem; it writes nothing.
    2. ``run(out, log)`` computes everything in memory (model runs go to ``out/model`` and the
       like), then writes the outputs into ``out`` (default ``out/<name>/``), each atomically with
       provenance, and returns the paths written; ``log`` takes progress lines.
    3. ``inputs_hash`` is the SHA-256 of the scenario file and every input file, recorded in the
       outputs' provenance.

    ``gwsim run`` (:func:`gwsim.scenario.runner.run_scenario`) wraps every kind the same way: the
    checks of :mod:`gwsim.check` first, then ``run`` into a fresh staging folder that is swapped
    in on success. A kind with a ``checks`` attribute (a list) gets the check's warning and note
    lines there before ``run``, to record in its report.
    """

    name: str  # names the default output folder
    source: Path  # the scenario file

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> ScenarioKind: ...

    @property
    def inputs_hash(self) -> str: ...

    def run(self, out: str | Path | None = None, log: Callable = print) -> list[Path]: ...
