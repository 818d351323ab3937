"""Evaluate a monitoring network: what existing wells see, and what each proposed well adds.

Works on a :class:`~gwsim.monitoring.detection.DetectionMatrix` whose candidates include the wells
(compute it for the existing and proposed wells together). Coverage is the expected weighted share
of sources detected (probabilities over an ensemble of flow fields); a proposed well's marginal
value is the coverage it adds to the existing wells alone, and, in value order, to the existing
wells plus the proposed ones before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gwsim.monitoring.design import network_coverage, network_time, value_order
from gwsim.monitoring.detection import DetectionMatrix


@dataclass
class NetworkEvaluation:
    """Coverage of a network and the value of proposed wells.

    Attributes
    ----------
    coverage : expected share of sources the ``existing`` wells detect.
    source_probability, source_time : (n_sources,) detection probability and mean earliest
        detection time (d, inf: never) by the existing wells.
    wells : one row per existing well: sources it detects and its earliest detection, d.
    proposed : one row per proposed well, in value order: coverage it adds alone and in order.
    coverage_with_proposed : coverage of existing + proposed wells.
    """

    coverage: float
    source_probability: np.ndarray
    source_time: np.ndarray
    wells: list[dict]
    proposed: list[dict]
    coverage_with_proposed: float


def evaluate_network(
    matrix: DetectionMatrix, existing, proposed=(), weights=None, names=None
) -> NetworkEvaluation:
    """Coverage and detection times of the ``existing`` wells (candidate indices of ``matrix``),
    and the marginal value of each ``proposed`` one. ``names``: a label per candidate."""
    existing = np.asarray(existing, int)
    proposed = np.asarray(proposed, int)
    names = names if names is not None else [f"candidate {i}" for i in range(matrix.n_candidates)]
    coverage, probability = network_coverage(matrix, existing, weights)
    probability_by_well = matrix.probability
    rows = []
    for c in existing:
        seen = np.flatnonzero(probability_by_well[:, c] > 0)
        rows.append(
            {
                "well": names[c],
                "sources_detected": len(seen),
                "sources": " ".join(str(s) for s in seen),
                "first_detection_d": round(float(matrix.mean_time[:, c].min(initial=np.inf)), 1),
            }
        )
    order, gains = value_order(matrix, proposed, existing, weights)
    proposed_rows = [
        {
            "well": names[c],
            "adds_alone": round(network_coverage(matrix, [*existing, c], weights)[0] - coverage, 4),
            "adds_in_order": round(float(g), 4),
        }
        for c, g in zip(order, gains, strict=True)
    ]
    return NetworkEvaluation(
        coverage=coverage,
        source_probability=probability,
        source_time=network_time(matrix, existing),
        wells=rows,
        proposed=proposed_rows,
        coverage_with_proposed=network_coverage(matrix, [*existing, *proposed], weights)[0],
    )
