"""The ``gwsim`` command line.

``gwsim run SCENARIO.toml [--out DIR]`` runs a scenario end to end and writes ``report.html`` into
its folder; ``gwsim portal DIR... --out site/`` writes one page of several run folders;
``gwsim install-exes`` installs the MODFLOW programs; ``gwsim exes`` lists them. Errors print as
one line naming the problem and the fix, with exit status 2 (bad input) or 1 (a failed run).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

from gwsim import __version__
from gwsim.errors import EngineError, GwsimError


def _run(args) -> int:
    from gwsim.portal import write_run_page
    from gwsim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    start = time.perf_counter()
    out = args.out or f"out/{scenario.name}"
    written = scenario.run(out)
    written.append(write_run_page(out, strict=False))
    print(f"done in {time.perf_counter() - start:.1f} s; wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def _install(args) -> int:
    from gwsim.executables import install_executables

    install_executables(bindir=args.bindir, force=args.force)
    return 0


def _list_exes(args) -> int:
    from gwsim.executables import PROGRAMS, describe_executable, find_executable

    for name in PROGRAMS:
        try:
            path = find_executable(name)
        except GwsimError:
            path = "-"
        print(f"{name:9s} {describe_executable(name)}  [{path}]")
    return 0


def _portal(args) -> int:
    from gwsim.portal import write_site

    path = write_site(args.folders, args.out)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gwsim",
        description="Groundwater flow, particle tracking and transport on MODFLOW 6 / MT3D-USGS.",
    )
    parser.add_argument("--version", action="version", version=f"gwsim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run a scenario file end to end")
    run.add_argument("scenario", help="scenario TOML file")
    run.add_argument("--out", default=None, help="output folder (default out/<scenario name>/)")
    run.set_defaults(func=_run)
    portal = sub.add_parser("portal", help="one self-contained HTML page of several run folders")
    portal.add_argument("folders", nargs="+", help="run folders (as `gwsim run` wrote them)")
    portal.add_argument("--out", default="site", help="folder for index.html (default site/)")
    portal.set_defaults(func=_portal)
    install = sub.add_parser("install-exes", help="install mf6, mfnwt, mt3dusgs and mp7")
    install.add_argument("--bindir", default=None, help="target folder (default: inside the venv)")
    install.add_argument("--force", action="store_true", help="reinstall even if present")
    install.set_defaults(func=_install)
    exes = sub.add_parser("exes", help="list the MODFLOW programs gwsim uses")
    exes.set_defaults(func=_list_exes)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.simplefilter("default")
    warnings.formatwarning = lambda message, category, *a, **k: f"warning: {message}\n"
    try:
        return args.func(args)
    except EngineError as exc:
        print(f"gwsim: error: {exc}", file=sys.stderr)
        return 1
    except GwsimError as exc:
        print(f"gwsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
