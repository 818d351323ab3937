"""Drawdown around a pumping well in a homogeneous confined aquifer (m, d).

Thiem (1906) steady state and Theis (1935) transient; both in Bear (1979), *Hydraulics of
Groundwater*, ch. 8, and Kruseman & de Ridder (1994), *Analysis and Evaluation of Pumping Test Data*.
"""

from __future__ import annotations

import numpy as np
from scipy.special import exp1


def thiem_drawdown(r, q: float, transmissivity: float, radius_of_influence: float):
    """Steady drawdown (m) at distance ``r`` (m) from a well pumping ``q`` (m³/d, positive).

    s(r) = Q / (2π T) · ln(R / r), with T the transmissivity (m²/d) and R the radius (m) at which
    the drawdown is zero (a fixed-head ring).
    """
    r = np.asarray(r, float)
    return q / (2.0 * np.pi * transmissivity) * np.log(radius_of_influence / r)


def theis_drawdown(r, t, q: float, transmissivity: float, storativity: float):
    """Transient drawdown (m) at distance ``r`` (m) and time ``t`` (d) since pumping began.

    s = Q / (4π T) · W(u), u = r² S / (4 T t), W the well function (exponential integral E1),
    for a well pumping ``q`` (m³/d, positive) in an infinite confined aquifer of transmissivity T
    (m²/d) and storativity S (-).
    """
    r, t = np.asarray(r, float), np.asarray(t, float)
    u = r**2 * storativity / (4.0 * transmissivity * t)
    return q / (4.0 * np.pi * transmissivity) * exp1(u)
