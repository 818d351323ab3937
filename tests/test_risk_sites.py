"""The shipped site risk scenarios (Chajia, Nancun): read and checked fast, run end to end (slow).

Fast: ``gwsim check`` passes on both and the scenario reads what the files say (the red beds'
dual domain from the site's params.toml, protection zones as receptors, the named worst case).
Slow (about 5 min each on 2 free cores): the whole run writes report.md with the ranked table and
the options compared; no table value is numerical noise (a peak below the floor is 0, printed
"未到达 / not reached"); the cut-off wall reads as a delay.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gwsim.cli import main
from gwsim.config import read_toml
from gwsim.errors import SpecError
from gwsim.risk.mass import NOT_REACHED, RATIO_FLOOR
from gwsim.risk.scenario import EnterpriseRiskScenario

ROOT = Path(__file__).parents[1]
SITES = {
    "chajia_enterprise_risk": ("electroplating", None),
    "nancun_enterprise_risk": ("chemical_works", (0.08, 0.001)),
}


def _scenario(stem: str) -> EnterpriseRiskScenario:
    path = ROOT / "scenarios" / f"{stem}.toml"
    return EnterpriseRiskScenario.from_dict(read_toml(path), path)


@pytest.mark.parametrize("stem", SITES)
def test_site_risk_scenarios_check_and_read(stem, tmp_path, monkeypatch, capsys):
    """``gwsim check`` passes (exit 0, writes nothing); three enterprises with a normal and an
    abnormal case each, the wells and both protection zones as receptors, five options."""
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(ROOT / "scenarios" / f"{stem}.toml")]) == 0
    assert list(tmp_path.iterdir()) == []
    capsys.readouterr()
    s = _scenario(stem)
    target, dual = SITES[stem]
    assert len(s.enterprises) == 3
    assert all({c.name for c in e.cases} == {"normal", "abnormal"} for e in s.enterprises)
    assert [r.kind for r in s.receptors] == ["source_well", "protection_zone", "protection_zone"]
    assert [r.location[1] for r in s.receptors[1:]] == [100.0, 1000.0]
    assert s.control_target == target and len(s.options) == 5
    assert s.superpose  # steady flow, linear transport: one unit response per contaminant
    if dual is None:
        assert s.dual_domain is None
    else:
        assert (s.dual_domain.immobile_porosity, s.dual_domain.transfer_rate) == dual


def test_superpose_must_be_a_boolean():
    """transport.superpose = "yes" is a SpecError naming the key and the fix."""
    path = ROOT / "scenarios" / "chajia_enterprise_risk.toml"
    data = read_toml(path)
    data["transport"]["superpose"] = "yes"
    with pytest.raises(SpecError, match=r"transport\.superpose.*true or false"):
        EnterpriseRiskScenario.from_dict(data, path)


@pytest.mark.parametrize("value", [0.0, 1.5, "1"])
def test_courant_must_be_in_zero_to_one(value):
    """transport.courant outside (0, 1] (TVD's stability limit) is a SpecError naming the key."""
    path = ROOT / "scenarios" / "nancun_enterprise_risk.toml"
    data = read_toml(path)
    data["transport"]["courant"] = value
    with pytest.raises(SpecError, match=r"transport\.courant"):
        EnterpriseRiskScenario.from_dict(data, path)


def _rows(path: Path) -> list[dict]:
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


@pytest.mark.slow
@pytest.mark.needs_mf6
@pytest.mark.needs_mt3d
@pytest.mark.parametrize("stem", SITES)
def test_site_risk_scenarios_run(stem, tmp_path):
    """The whole scenario through the CLI: report.md with its sections; ranked rows whose peaks
    are 0 or at least the floor; the wall's mass leaving the site at most natural attenuation's
    and its first exceedance at the wells no earlier."""
    out = tmp_path / stem
    assert main(["run", str(ROOT / "scenarios" / f"{stem}.toml"), "--out", str(out)]) == 0
    report = (out / "report.md").read_text("utf-8")
    for header in ("## 输入 / Inputs", "## 风险排序 / Ranked risk", "## 控制方案比较"):
        assert header in report
    assert "e-1" not in report.split("## 风险排序")[1].split("## 关键假设")[0]  # no 1e-19s
    assert "Leak cases superposed" in report
    rows = _rows(out / "risk_table.csv")
    ratios = [float(r["peak_to_limit"]) for r in rows]
    assert all(v == 0 or v >= RATIO_FLOOR for v in ratios)
    if 0 in ratios:
        assert NOT_REACHED in report
    options = _rows(out / "control_options.csv")
    mass = {r["option"]: float(r["mass_leaving_site_g"]) for r in options}
    assert mass["cut-off wall"] <= mass["natural attenuation"]
    well = next(r["receptor"] for r in options if r["receptor_kind"] == "source_well")
    first = {
        r["option"]: r["exceeds_limit_at_d"]
        for r in options
        if r["receptor"] == well and r["exceeds_limit_at_d"]
    }
    if "natural attenuation" in first and "cut-off wall" in first:
        assert float(first["cut-off wall"]) >= float(first["natural attenuation"])
