"""Choosing monitoring wells: exact mixed-integer programme, greedy fallback, and the design result.

Given a :class:`~gwsim.monitoring.detection.DetectionMatrix` over F flow fields, S sources and M
candidates, choose ``n_wells`` new candidates (``existing`` wells are in the network already and do
not count against ``n_wells``) to maximise the expected weighted number of sources detected.

Mixed-integer programme (``scipy.optimize.milp``, HiGHS). Variables: x_c ∈ {0, 1} (candidate c is
drilled) and z_fsc ∈ [0, 1] for every detection D_fsc = 1 (source s is detected first by c in field
f). Constraints: z_fsc ≤ x_c; Σ_c z_fsc ≤ 1; Σ_c x_c = n_wells + |existing|, x_c = 1 for existing
wells; and each layout rule's set R (:mod:`.layout`): Σ_{c∈R} x_c ≥ 1. Objective, maximised, a
weighted lexicographic one:

    Σ_fsc z_fsc · w_s · (1 − ε_t · t_fsc / window − ε_a · a_fsc / a_max)

with w_s the source weights (default 1), t the detection time (d) and a the contaminated area at
detection (m²). ε_t = min(w) / (2 F Σw) makes the whole time term worth less than one source
detected in one field, so the expected coverage is maximised first; among equal coverage the
earliest detection wins (the earliest detecting chosen well takes z), and ε_a = ε_t · min(w) /
(2 F Σw) breaks what ties remain by the smallest area.

Solver gap: ``mip_rel_gap = min(1e-4, min(w) / (4 F Σw))``, below a quarter of one source in one
field, so the coverage is proven optimal; the time and area tie-breaks are optimal to within that
gap (a best effort: with 100 sources it can miss up to a few sources' time terms).

Greedy (``solver="greedy"``, or when the programme exceeds ``time_limit``): add the candidate with
the largest expected-coverage gain (ties: the earliest total detection time), after one well for
each layout rule. Expected coverage is monotone submodular, so for every greedy prefix S_i the
optimum is at most f(S_i) + the sum of the n largest gains over S_i (Minoux 1978; Leskovec et al.
2007); the smallest such bound (or the MILP's dual bound, if smaller, when the MILP ran out of
time) gives :attr:`NetworkDesign.gap`, the proven relative optimality gap of the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from gwsim.monitoring.detection import DetectionMatrix
from gwsim.monitoring.errors import MonitoringError

SOLVERS = ("auto", "milp", "greedy")


@dataclass
class NetworkDesign:
    """A designed monitoring network and what it sees.

    Attributes
    ----------
    detects : (n_sources, n_candidates) detection probability (0/1 on one flow field).
    detection_time : (n_sources, n_candidates) mean detection time over the fields that detect, d.
    chosen : indices of the chosen new candidates, most valuable first.
    existing : indices of the existing wells (part of the network).
    coverage : expected share of (weighted) sources the network detects, 0..1.
    marginal : (len(chosen),) coverage each chosen well adds, in the order of ``chosen``.
    undetected : sources the network does not detect in any field.
    undetectable : sources no candidate detects in any field (no network of any size sees them).
    source_probability : (n_sources,) probability that the network detects each source.
    source_time : (n_sources,) mean earliest detection time by the network, d (inf: never).
    solver : "milp" or "greedy"; gap : proven relative optimality gap of the coverage (0: optimal).
    layout : {rule label: candidate indices} of the layout rules applied.
    matrix : the detection matrix it was designed on.
    """

    detects: np.ndarray
    detection_time: np.ndarray
    chosen: np.ndarray
    existing: np.ndarray
    coverage: float
    marginal: np.ndarray
    undetected: np.ndarray
    undetectable: np.ndarray
    source_probability: np.ndarray
    source_time: np.ndarray
    solver: str
    gap: float
    matrix: DetectionMatrix = field(repr=False)
    layout: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def network(self) -> np.ndarray:
        """Existing then chosen candidate indices."""
        return np.concatenate([self.existing, self.chosen]).astype(int)


# ---------------------------------------------------------------------- evaluation
def _weights(matrix: DetectionMatrix, weights) -> np.ndarray:
    if weights is None:
        return np.ones(matrix.n_sources)
    w = np.asarray(weights, float)
    if w.shape != (matrix.n_sources,) or not (np.isfinite(w).all() and (w > 0).all()):
        raise MonitoringError(f"source weights must be {matrix.n_sources} positive numbers")
    return w


def network_coverage(matrix: DetectionMatrix, wells, weights=None) -> tuple[float, np.ndarray]:
    """(expected weighted share of sources detected, (n_sources,) detection probability)."""
    w = _weights(matrix, weights)
    wells = np.asarray(wells, int)
    seen = (
        matrix.detects[..., wells].any(axis=2)
        if wells.size
        else np.zeros(matrix.detects.shape[:2], bool)
    )
    probability = seen.mean(axis=0)
    return float(probability @ w / w.sum()), probability


def network_time(matrix: DetectionMatrix, wells) -> np.ndarray:
    """(n_sources,) earliest detection by the wells, mean over the fields that detect, d."""
    wells = np.asarray(wells, int)
    if wells.size == 0:
        return np.full(matrix.n_sources, np.inf)
    first = matrix.time[..., wells].min(axis=2)
    hits = np.isfinite(first)
    total = np.where(hits, first, 0.0).sum(axis=0)
    return np.where(hits.any(axis=0), total / np.maximum(hits.sum(axis=0), 1), np.inf)


def value_order(matrix: DetectionMatrix, chosen, existing, weights=None):
    """``chosen`` ordered by value (greedy by coverage gain, then earlier detection) and the
    coverage each adds."""
    remaining, network, order, gains = list(chosen), list(existing), [], []
    base = network_coverage(matrix, network, weights)[0]
    while remaining:
        scores = []
        for c in remaining:
            cov = network_coverage(matrix, [*network, c], weights)[0]
            t = network_time(matrix, [*network, c])
            scores.append((cov, -np.where(np.isfinite(t), t, 1e30).sum()))
        best = max(range(len(remaining)), key=lambda i: scores[i])
        gains.append(scores[best][0] - base)
        base = scores[best][0]
        network.append(remaining[best])
        order.append(remaining.pop(best))
    return np.array(order, int), np.array(gains)


# ---------------------------------------------------------------------- solvers
def _checked(matrix: DetectionMatrix, n_wells, existing, rules) -> tuple[np.ndarray, np.ndarray]:
    existing = np.unique(np.asarray(existing if existing is not None else [], int))
    if existing.size and (existing.min() < 0 or existing.max() >= matrix.n_candidates):
        raise MonitoringError(f"existing well indices must be in 0..{matrix.n_candidates - 1}")
    free = np.setdiff1d(np.arange(matrix.n_candidates), existing)
    if not (isinstance(n_wells, (int, np.integer)) and n_wells >= 0):
        raise MonitoringError(f"n_wells must be an integer >= 0, not {n_wells!r}")
    if n_wells > free.size:
        raise MonitoringError(
            f"n_wells = {n_wells} but there are only {free.size} candidates besides the "
            f"{existing.size} existing wells: add candidates or ask for fewer wells"
        )
    unmet = [k for k, s in rules.items() if not np.intersect1d(s, existing).size]
    if len(unmet) > n_wells:
        raise MonitoringError(
            f"{len(unmet)} layout rules need a well each ({', '.join(unmet[:4])}, ...) but only "
            f"{n_wells} wells are asked for: ask for more wells or switch rules off"
        )
    for k, s in rules.items():
        if len(s) == 0:
            raise MonitoringError(
                f"layout rule {k!r} has no candidate: add candidates where it asks for a well "
                "(gwsim.monitoring.layout suggests positions) or switch the rule off"
            )
    return existing, free


def solve_milp(matrix, n_wells, existing, rules, weights, time_limit):
    """(chosen new candidate indices or None, optimality proven, upper bound on the expected
    coverage from the solver's dual bound)."""
    w = _weights(matrix, weights)
    F, S, M = matrix.detects.shape
    f_idx, s_idx, c_idx = np.nonzero(matrix.detects)
    nz = f_idx.size
    eps_t = w.min() / (2 * F * w.sum())
    eps_a = eps_t * w.min() / (2 * F * w.sum())
    finite_area = matrix.area[matrix.detects]
    a_max = max(float(finite_area.max()) if nz else 1.0, 1.0)
    value = w[s_idx] * (
        1
        - eps_t * matrix.time[f_idx, s_idx, c_idx] / matrix.window
        - eps_a * matrix.area[f_idx, s_idx, c_idx] / a_max
    )
    c = np.concatenate([np.zeros(M), -value])
    rows = np.arange(nz)
    link = sparse.csr_matrix(
        (
            np.concatenate([np.ones(nz), -np.ones(nz)]),
            (np.tile(rows, 2), np.concatenate([M + rows, c_idx])),
        ),
        shape=(nz, M + nz),
    )
    pair = f_idx * S + s_idx
    once = sparse.csr_matrix((np.ones(nz), (pair, M + rows)), shape=(F * S, M + nz))
    count = sparse.csr_matrix(np.concatenate([np.ones(M), np.zeros(nz)])[None])
    constraints = [
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(once, 0.0, 1.0),
        LinearConstraint(count, n_wells + len(existing), n_wells + len(existing)),
    ]
    for members in rules.values():
        row = np.zeros(M + nz)
        row[np.asarray(members, int)] = 1.0
        constraints.append(LinearConstraint(sparse.csr_matrix(row[None]), 1.0, np.inf))
    lower = np.zeros(M + nz)
    lower[existing] = 1.0
    integrality = np.concatenate([np.ones(M), np.zeros(nz)])
    gap = min(1e-4, 0.25 * w.min() / (F * w.sum()))
    res = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(lower, np.ones(M + nz)),
        options={"time_limit": float(time_limit), "mip_rel_gap": gap, "disp": False},
    )
    dual = getattr(res, "mip_dual_bound", None)
    bound = np.inf if dual is None or not np.isfinite(dual) else -dual
    bound /= (1 - eps_t - eps_a) * F * w.sum()  # objective bound -> expected-coverage bound
    if res.x is None:
        return None, False, bound
    x = np.round(res.x[:M]).astype(bool)
    chosen = np.setdiff1d(np.flatnonzero(x), existing)
    return chosen, res.status == 0, bound


def solve_greedy(matrix, n_wells, existing, rules, weights):
    """(chosen new candidates, upper bound on the expected weighted coverage); see the module
    docstring. A well for each unmet layout rule comes first (the best of its set)."""
    w = _weights(matrix, weights)
    F, S, M = matrix.detects.shape
    D = matrix.detects.reshape(F * S, M).astype(float)
    wf = np.tile(w, F) / (F * w.sum())
    T = np.where(np.isfinite(matrix.time), matrix.time, 0.0).reshape(F * S, M)
    network = [int(e) for e in existing]
    covered = D[:, network].any(axis=1) if network else np.zeros(F * S, bool)
    chosen: list[int] = []
    bound = np.inf
    while True:
        open_ = ~covered
        gains = wf[open_] @ D[open_]
        gains[network] = 0.0
        bound = min(bound, float(wf[covered].sum()) + np.sort(gains)[::-1][:n_wells].sum())
        if len(chosen) == n_wells:
            return np.array(chosen, int), bound
        unmet = [s for s in rules.values() if not np.intersect1d(s, network).size]
        pool = np.setdiff1d(unmet[0] if unmet else np.arange(M), network)
        times = T[open_][:, pool].sum(axis=0)
        best = int(pool[np.lexsort((times, -gains[pool]))[0]])
        chosen.append(best)
        network.append(best)
        covered |= D[:, best] > 0


def choose_wells(
    matrix: DetectionMatrix,
    n_wells: int,
    *,
    existing=None,
    rules: dict[str, np.ndarray] | None = None,
    weights=None,
    solver: str = "auto",
    time_limit: float = 60.0,
) -> NetworkDesign:
    """Choose ``n_wells`` candidates on a detection matrix (see the module docstring).

    ``solver``: "milp" (exact; raises if it finds no solution in ``time_limit`` s), "greedy", or
    "auto" (the MILP, falling back to greedy when it finds nothing in time). When the MILP stops at
    the time limit, the better of its incumbent and the greedy choice is returned with its proven
    gap (``solver`` says which). ``rules``: {label: candidate indices}, at least one well from each.
    """
    if solver not in SOLVERS:
        raise MonitoringError(f"solver must be one of {SOLVERS}, not {solver!r}")
    rules = {k: np.asarray(v, int) for k, v in (rules or {}).items()}
    existing, _ = _checked(matrix, n_wells, existing, rules)
    gap = 0.0
    chosen, proven, used, milp_bound = None, False, solver, np.inf
    if solver in ("auto", "milp"):
        chosen, proven, milp_bound = solve_milp(
            matrix, n_wells, existing, rules, weights, time_limit
        )
        used = "milp"
        if chosen is None and solver == "milp":
            raise MonitoringError(
                f"the MILP found no solution within {time_limit:g} s: raise time_limit or use "
                "solver='greedy'"
            )
    if solver == "greedy" or not proven:
        greedy, bound = solve_greedy(matrix, n_wells, existing, rules, weights)
        greedy_cov = network_coverage(matrix, [*existing, *greedy], weights)[0]
        if (
            chosen is None
            or greedy_cov > network_coverage(matrix, [*existing, *chosen], weights)[0]
        ):
            chosen, used = greedy, "greedy"
        best = network_coverage(matrix, [*existing, *chosen], weights)[0]
        bound = min(bound, milp_bound)
        gap = max(0.0, (bound - best) / bound) if bound > 0 else 0.0
    order, gains = value_order(matrix, chosen, existing, weights)
    network = np.concatenate([existing, order]).astype(int)
    coverage, probability = network_coverage(matrix, network, weights)
    return NetworkDesign(
        detects=matrix.probability,
        detection_time=matrix.mean_time,
        chosen=order,
        existing=existing,
        coverage=coverage,
        marginal=gains,
        undetected=np.flatnonzero(probability == 0),
        undetectable=matrix.undetectable,
        source_probability=probability,
        source_time=network_time(matrix, network),
        solver=used,
        gap=float(gap),
        matrix=matrix,
        layout=rules,
    )
