"""The flow budget file of a MODFLOW 6 GWT model solved on part of the flow model's grid.

A GWT model whose IDOMAIN is 0 outside the transport domain (:mod:`gwsim.solute.domain`) has
fewer nodes and connections than the flow model, so its Flow Model Interface (FMI) cannot read the
flow model's budget file as it is: FMI copies FLOW-JA-FACE connection by connection (its length
must be the GWT model's NJA) and points each package entry at the GWT model's node, which must
exist. :func:`write_domain_budget` writes, per saved flow step, what FMI reads for the domain
(MODFLOW 6 6.4.1 ``gwt1fmi1.f90``, ``BudgetFileReader.f90``):

* FLOW-JA-FACE over the connections between domain cells, in the GWT model's order (the flow
  model's compressed-row order, as its grid file's IA and JA give it, with the other
  connections left out: both models number cells in the same layer-row-column order);
* DATA-SPDIS and DATA-SAT of the domain cells, the storage arrays (STO-SS, STO-SY) unchanged;
* each flow package's list, its entries outside the domain left out;
* one more package, :data:`EDGE_PACKAGE`: for every face between a domain cell and an active cell
  outside, the flow across it (m³/d, positive into the domain). SSM treats it as any flow package
  without a concentration (``gwt1ssm1.f90``, ``ssm_term``): water entering carries 0 mg/L, water
  leaving takes the cell's concentration, so the plume leaves the domain as it would leave the
  grid, and the GWT listing books it as the budget row ``SSM_DOMAIN-EDGE``
  (:func:`read_edge_loss`).

The head file needs no rewriting: FMI reads whole layers and keeps the domain's cells.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from gwsim.engines.mf6_binary import BudgetRecord, read_budget, read_grb, write_budget_record
from gwsim.errors import FlowFieldError

EDGE_PACKAGE = "DOMAIN-EDGE"  # the package name (and budget text) of the flows across the edge


class DomainConnections:
    """The flow model's connections (``grb_file``) as seen from a transport ``domain`` (bool,
    (nlay, nrow, ncol), active cells only): which flow connections the GWT model keeps, which
    cross the domain's edge, and the node numbers on both sides."""

    def __init__(self, grb_file: Path, domain: np.ndarray):
        grb = read_grb(grb_file)
        idomain = np.asarray(grb["IDOMAIN"]).ravel()
        if (idomain < 0).any():
            raise FlowFieldError(
                f"{grb_file}: the flow grid has vertical pass-through cells (IDOMAIN -1); a "
                "transport domain cannot be cut from it: use transport(..., domain='all')"
            )
        inside = np.asarray(domain).ravel()
        if inside.size != idomain.size or (inside & (idomain <= 0)).any():
            raise FlowFieldError(f"the transport domain does not fit the grid of {grb_file}")
        # IA and JA of a DIS grid file run over every cell (inactive ones have no row), in the
        # order of FLOW-JA-FACE
        ia = np.asarray(grb["IA"]) - 1
        src = np.repeat(np.arange(len(ia) - 1), np.diff(ia))
        dst = np.asarray(grb["JA"]) - 1
        self.keep = inside[src] & inside[dst]  # connections (incl. the diagonal) the GWT model has
        self.edge = inside[src] & ~inside[dst]  # from a domain cell to an active cell outside
        self.edge_node, self.edge_outside = src[self.edge], dst[self.edge]
        self.inside = inside

    def record(self, record: BudgetRecord) -> BudgetRecord:
        """``record`` as the GWT model on the domain reads it."""
        if record.text == "FLOW-JA-FACE":
            flowja = np.asarray(record.array)[self.keep]
            return record._replace(array=flowja, dims=(flowja.size, 1, -1))
        if record.imeth == 1:
            return record  # storage: a whole-grid array, FMI keeps the domain's cells
        keep = self.inside[record.node]
        return record._replace(
            node=record.node[keep],
            node2=record.node2[keep],
            q=record.q[keep],
            aux={name: values[keep] for name, values in record.aux.items()},
        )

    def edge_record(self, flowja: BudgetRecord, like: BudgetRecord) -> BudgetRecord:
        """The :data:`EDGE_PACKAGE` term of the step of ``flowja`` (the flow model's
        FLOW-JA-FACE record): one entry per edge face, m³/d into the domain; its header as
        ``like``'s (a list record of the same step)."""
        model = like.names[0]
        return like._replace(
            text=EDGE_PACKAGE,
            package=EDGE_PACKAGE,
            node=self.edge_node,
            node2=self.edge_outside,
            q=np.asarray(flowja.array)[self.edge],
            aux={},
            names=(model, model, model, EDGE_PACKAGE),
        )


def write_domain_budget(
    budget_file: Path, grb_file: Path, domain: np.ndarray, out_file: Path
) -> None:
    """Write to ``out_file`` the budget file that a GWT model on ``domain`` reads in place of
    the flow model's ``budget_file`` (see the module doc); ``grb_file`` is the flow model's
    binary grid file, ``domain`` a bool (nlay, nrow, ncol) array of active cells."""
    connections = DomainConnections(grb_file, domain)
    with open(out_file, "wb") as out:
        step, flowja, like = None, None, None

        def write_edge() -> None:
            if flowja is None or like is None:
                raise FlowFieldError(
                    f"{budget_file} holds no FLOW-JA-FACE or no saturation for step {step}: set "
                    "SAVE_FLOWS and SAVE_SATURATION in the flow model's NPF package and rerun it"
                )
            write_budget_record(out, connections.edge_record(flowja, like))

        for record in read_budget(Path(budget_file)):
            if step is not None and (record.kstp, record.kper) != step:
                write_edge()
                flowja, like = None, None
            step = (record.kstp, record.kper)
            if record.text == "FLOW-JA-FACE":
                flowja = record
            elif record.imeth == 6:
                like = record
            write_budget_record(out, connections.record(record))
        write_edge()


def read_edge_loss(listing: Path) -> float | None:
    """Share of the mass that entered the GWT model (g; every cumulative IN of its listing's last
    budget but storage and decay) that left through the domain's edge (``SSM_DOMAIN-EDGE`` OUT);
    None when the listing holds no such budget."""
    if not listing.is_file():
        return None
    text = listing.read_text(errors="replace")
    start = text.rfind("MASS BUDGET FOR ENTIRE MODEL")
    if start < 0:
        return None
    entered, left = 0.0, None
    row = re.compile(r"^\s*(\S+)\s*=\s*([-+.\dEeDd]+)\s+(\S+)\s*=\s*([-+.\dEeDd]+)\s+(\S+)")
    section = None
    for line in text[start:].splitlines()[1:80]:
        if "IN:" in line or "OUT:" in line:
            section = "in" if "IN:" in line else "out"
            continue
        if "PERCENT DISCREPANCY" in line:
            break
        if line.strip().startswith("IMMOBILE"):  # IST's exchange with the matrix: internal
            continue
        match = row.match(line)
        if not match or section is None:
            continue
        text_, cumulative = match.group(1), float(match.group(2).replace("D", "E"))
        if section == "in" and not text_.startswith(("STORAGE", "DECAY")):
            entered += cumulative
        if section == "out" and match.group(5) == f"SSM_{EDGE_PACKAGE}":
            left = cumulative
    if left is None:
        return None
    return left / entered if entered > 0 else 0.0
