"""Chinese and English names of HJ 338-2018's zones and methods, and labels in either language."""

from __future__ import annotations

LANGUAGES = ("zh", "en", "both")
ZONE_NAMES = {  # zone -> (Chinese, English), HJ 338-2018's terms
    "class1": ("一级保护区", "class 1 protection zone"),
    "class2": ("二级保护区", "class 2 protection zone"),
    "quasi": ("准保护区", "outer protection zone"),
}
METHOD_NAMES = {
    "numerical": ("数值法", "numerical model"),
    "empirical": ("经验公式法", "R = αKIT/n"),
}


def label(names: tuple[str, str], language: str) -> str:
    """A (Chinese, English) pair as one label: "zh", "en" or "both" ("中文 English")."""
    zh, en = names
    return {"zh": zh, "en": en}.get(language, f"{zh} {en}" if zh != en else en)


RISK_FEATURE_NAMES = {  # what a risk map draws, by kind
    "enterprise": ("企业", "enterprise"),
    "source_well": ("水源井", "source well"),
    "monitoring_well": ("监测井", "monitoring well"),
    "cutoff_wall": ("垂直防渗墙", "cut-off wall"),
    "reactive_barrier": ("可渗透反应墙", "permeable reactive barrier"),
    "containment_well": ("水力截获井", "containment well"),
}
OPTION_NAMES = {  # risk-control options, by their label in gwsim.risk.control
    "natural attenuation": ("监测自然衰减", "natural attenuation"),
    "anti-seepage retrofit": ("防渗改造", "anti-seepage retrofit"),
    "cut-off wall": ("垂直防渗墙", "cut-off wall"),
    "hydraulic containment": ("水力截获", "hydraulic containment"),
    "reactive barrier": ("可渗透反应墙", "reactive barrier"),
}
