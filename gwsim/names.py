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
