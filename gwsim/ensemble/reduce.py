"""Reducing an ensemble as its realizations arrive, and recording each one so a run can resume.

:class:`Reducer` keeps running counts per sub-cell (how many realizations put it in each map) and
one short row of numbers per realization (zone areas, sampled values, timings): its memory grows
with the lattice and by a few hundred bytes per realization, never with whole maps per realization.

:class:`RecordStore` writes each finished realization to ``<folder>/r<index>.npz`` (atomic rename:
a killed run leaves whole records or none) beside ``plan.json``, the key of the plan that made
them. Resuming reads the records one at a time into a fresh reducer and runs only the missing
indices; counts are integers and rows are sorted by index, so the result does not depend on the
order in which realizations finished or on interruptions.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gwsim.ensemble.realization import RealizationResult
from gwsim.errors import GwsimError
from gwsim.writers import atomic_path


class RecordStore:
    """Finished realizations of one plan, one ``.npz`` file each, in ``folder``."""

    def __init__(self, folder: str | Path, plan_key: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        key_file = self.folder / "plan.json"
        if key_file.exists():
            recorded = json.loads(key_file.read_text()).get("plan_key")
            if recorded != plan_key:
                raise GwsimError(
                    f"the records in {self.folder} were made by another scenario or seed "
                    f"(plan key {recorded} != {plan_key}): remove that folder to start afresh, "
                    "or write to another output folder"
                )
        else:
            with atomic_path(key_file) as tmp:
                tmp.write_text(json.dumps({"plan_key": plan_key}))

    def path(self, index: int) -> Path:
        return self.folder / f"r{index:06d}.npz"

    def indices(self) -> set[int]:
        """Indices of the realizations recorded so far."""
        return {int(p.stem[1:]) for p in self.folder.glob("r*.npz")}

    def write(self, result: RealizationResult) -> None:
        """Record ``result`` atomically."""
        meta = {
            "index": result.index,
            "shape": list(result.shape),
            "areas": result.areas,
            "values": result.values,
            "timings": result.timings,
            "failed": result.failed,
        }
        with atomic_path(self.path(result.index)) as tmp:
            with open(tmp, "wb") as fh:
                extras = {f"{EXTRA}{k}": v for k, v in result.extras.items()}
                np.savez(fh, meta=np.array(json.dumps(meta)), **result.masks, **extras)

    def read(self, index: int) -> RealizationResult:
        with np.load(self.path(index)) as data:
            meta = json.loads(str(data["meta"]))
            masks = {k: data[k] for k in data.files if k != "meta" and not k.startswith(EXTRA)}
            extras = {k[len(EXTRA) :]: data[k] for k in data.files if k.startswith(EXTRA)}
        return RealizationResult(
            meta["index"],
            masks,
            tuple(meta["shape"]),
            meta["areas"],
            meta["values"],
            meta["timings"],
            meta["failed"],
            extras,
        )


PARTS = ("areas", "values", "timings")  # the numbers of a realization, by part
EXTRA = "extra."  # prefix of the analyses' arrays in a record


class Reducer:
    """Running counts of each map's sub-cells and one row of numbers per realization.

    ``n`` counts the realizations with results; failed ones are listed in ``failed``. A row is
    a float array of the realization's areas, values and timings in the order of the first
    result's keys (a few bytes per number), kept for percentiles and rank correlations.
    ``analyses`` (the plan's) each fold their arrays into their own reducer, in ``analyses``.
    """

    def __init__(self, analyses=()):
        self.n = 0
        self.counts: dict[str, np.ndarray] = {}
        self.failed: dict[int, str] = {}  # index -> reason, left out of maps and rows
        self._keys: dict[str, tuple[str, ...]] = {}  # part -> its keys, fixed by the first row
        self._rows: dict[int, np.ndarray] = {}
        self.analyses = {a.name: a.reducer() for a in analyses}

    def add(self, result: RealizationResult) -> None:
        """Fold one realization in (each index once); a failed one is only counted as such."""
        if result.index in self._rows or result.index in self.failed:
            raise GwsimError(f"realization {result.index} was reduced twice")
        if result.failed:
            self.failed[result.index] = result.failed
            return
        row = []
        for part in PARTS:
            numbers = getattr(result, part)
            keys = self._keys.setdefault(part, tuple(numbers))
            if set(keys) != set(numbers):
                raise GwsimError(
                    f"realization {result.index} has {part} {sorted(numbers)}, the others "
                    f"{sorted(keys)}: the records come from different plans; start afresh"
                )
            row += [numbers[k] for k in keys]
        for name in result.masks:
            mask = result.mask(name)
            if name not in self.counts:
                self.counts[name] = np.zeros(mask.shape, np.int32)
            self.counts[name] += mask
        for name, reducer in self.analyses.items():
            prefix = f"{name}."
            arrays = {k[len(prefix) :]: v for k, v in result.extras.items() if k.startswith(prefix)}
            reducer.add(result.index, arrays)
        self._rows[result.index] = np.array(row, float)
        self.n += 1

    def probability(self, name: str) -> np.ndarray:
        """Share of realizations (0..1) in which each sub-cell lies in map ``name``."""
        return self.counts[name] / max(self.n, 1)

    @property
    def indices(self) -> list[int]:
        return sorted(self._rows)

    def column(self, part: str, key: str) -> np.ndarray:
        """``part`` ("areas", "values" or "timings") ``key`` of every realization, by index."""
        offset = sum(len(self._keys[p]) for p in PARTS[: PARTS.index(part)])
        column = offset + self._keys[part].index(key)
        return np.array([self._rows[i][column] for i in self.indices], float)

    def keys(self, part: str) -> list[str]:
        """The keys of ``part`` in the realizations (those of the first one reduced)."""
        return list(self._keys.get(part, ()))
