"""Monitoring networks by design (HJ 164-2020, HJ 610-2016): where to drill, what each well
detects, and which enterprise a detection points to.

* :func:`design_network` (:mod:`.network`): the detection matrix (:mod:`.detection`, a dispersive
  particle swarm by default, :mod:`.swarm`; or transport runs), HJ 164 layout rules
  (:mod:`.layout`) and the exact MILP choice with a greedy fallback (:mod:`.design`);
* :func:`evaluate_network` (:mod:`.evaluation`): coverage of existing wells and the value of
  proposed ones;
* :func:`attribute_source` (:mod:`.attribution`): enterprises ranked by how well each explains
  detections and non-detections, and a map of where the leak may have started;
* :class:`MonitoringScenario` (:mod:`.scenario`, kind ``"monitoring"``): all of it on a site model.

Units: metres, days, mg/L, g/d.
"""

from gwsim.monitoring.attribution import Attribution, Detection, attribute_source
from gwsim.monitoring.candidates import candidate_lattice
from gwsim.monitoring.design import NetworkDesign, choose_wells
from gwsim.monitoring.detection import DetectionMatrix, detection_matrix
from gwsim.monitoring.errors import MonitoringError
from gwsim.monitoring.evaluation import NetworkEvaluation, evaluate_network
from gwsim.monitoring.layout import LayoutRules, control_points, sampling_frequency
from gwsim.monitoring.network import design_network

__all__ = [
    "Attribution",
    "Detection",
    "DetectionMatrix",
    "LayoutRules",
    "MonitoringError",
    "NetworkDesign",
    "NetworkEvaluation",
    "attribute_source",
    "candidate_lattice",
    "choose_wells",
    "control_points",
    "design_network",
    "detection_matrix",
    "evaluate_network",
    "sampling_frequency",
]
