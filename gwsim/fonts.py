"""A font for Chinese labels on maps (一级保护区 …), found once per process.

Where it looks, in order:

1. the Noto Sans CJK SC file shipped in the PyPI package ``mplfonts`` (a gwsim dependency, so a
   machine set up with ``make setup`` has it; SIL Open Font License);
2. fonts matplotlib already knows (installed system fonts) by family name: Noto Sans CJK SC,
   Source Han Sans SC, WenQuanYi (Linux), SimHei and Microsoft YaHei (Windows), PingFang SC and
   Heiti SC (macOS), Arial Unicode MS.

When none is found, :func:`cjk_family` warns once (:class:`~gwsim.errors.MissingFontWarning`) and
returns None; maps then use English labels rather than draw empty boxes.
"""

from __future__ import annotations

import functools
import importlib.util
import warnings
from pathlib import Path

from gwsim.errors import MissingFontWarning

BUNDLED_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")  # (package, file inside it)
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "STHeiti",
    "Arial Unicode MS",
)
LATIN_FAMILY = "DejaVu Sans"  # matplotlib's own font: Latin letters, digits, m³, α


def _bundled_file() -> Path | None:
    package, name = BUNDLED_FONT
    spec = importlib.util.find_spec(package)  # located, not imported
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / name).is_file():
            return Path(folder) / name
    return None


@functools.cache
def cjk_family() -> str | None:
    """The family name of a font with Chinese glyphs, registered with matplotlib; None if none."""
    from matplotlib import font_manager

    bundled = _bundled_file()
    if bundled is not None:
        font_manager.fontManager.addfont(str(bundled))
        return font_manager.FontProperties(fname=str(bundled)).get_name()
    known = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in known:
            return family
    warnings.warn(
        "no font with Chinese glyphs found (looked for the mplfonts package's Noto Sans CJK SC "
        f"and the system fonts {', '.join(SYSTEM_FAMILIES)}): maps use English labels. Install "
        "one with `pip install mplfonts` (or `make setup`), or a system CJK font",
        MissingFontWarning,
        stacklevel=2,
    )
    return None


def font_families() -> list[str]:
    """Font families for map text: Latin first, then the CJK font for the glyphs Latin lacks."""
    family = cjk_family()
    return [LATIN_FAMILY] + ([family] if family else [])


def with_map_fonts(draw):
    """Decorator: ``draw`` creates its text with :func:`font_families` (Chinese names show)."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        import matplotlib.pyplot as plt

        with plt.rc_context({"font.family": font_families()}):
            return draw(*args, **kwargs)

    return wrapper
