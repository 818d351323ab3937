"""The ``gwsim`` command line.

``gwsim check SCENARIO.toml`` checks a scenario and everything it names without running or writing
anything; ``gwsim run SCENARIO.toml [--out DIR]`` does the same checks, then runs the scenario into
a fresh folder that replaces ``DIR`` only when the run succeeded (with ``report.html``);
``gwsim portal DIR... --out site/`` writes one page of several run folders; ``gwsim install-exes``
installs the MODFLOW programs; ``gwsim exes`` lists them.

Exit status: 0 done; 2 bad input (one line per problem, each naming the key and the fix, nothing
written); 1 a failed run (a MODFLOW error, or an unexpected error: one line with the path of the
log file that holds the full traceback, in ``$GWSIM_LOG_DIR`` or the system's temporary folder).
No traceback reaches the terminal.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from gwsim import __version__
from gwsim.errors import EngineError, GwsimError, SpecErrors


def _print_warnings(warning_lines: list[str]) -> None:
    for line in warning_lines:
        print(f"warning: {line}", file=sys.stderr)


def _check(args) -> int:
    from gwsim.check import check_scenario

    result = check_scenario(args.scenario, args.out)
    _print_warnings(result.warnings)
    print(result.summary)
    return 0


def _run(args) -> int:
    from gwsim.scenario.runner import run_scenario

    start = time.perf_counter()
    result, written = run_scenario(args.scenario, args.out, scheduler=args.scheduler)
    _print_warnings(result.warnings)
    print(f"done in {time.perf_counter() - start:.1f} s; wrote:")
    for path in written:
        print(f"  {path}")
    return 0


def _install(args) -> int:
    from gwsim.engines.mf6_probe import probe_record
    from gwsim.executables import install_executables, register_mf6

    install_executables(bindir=args.bindir, force=args.force, probe=probe_record)
    if args.mf6:
        register_mf6(args.mf6, bindir=args.bindir, probe=probe_record)
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
    check = sub.add_parser("check", help="check a scenario file; runs and writes nothing")
    check.add_argument("scenario", help="scenario TOML file")
    check.add_argument("--out", default=None, help="output folder a run would use")
    check.set_defaults(func=_check)
    run = sub.add_parser("run", help="check, then run a scenario file end to end")
    run.add_argument("scenario", help="scenario TOML file")
    run.add_argument("--out", default=None, help="output folder (default out/<scenario name>/)")
    run.add_argument(
        "--scheduler", default=None, help="dask scheduler tcp://host:port for ensembles"
    )
    run.set_defaults(func=_run)
    portal = sub.add_parser("portal", help="one self-contained HTML page of several run folders")
    portal.add_argument("folders", nargs="+", help="run folders (as `gwsim run` wrote them)")
    portal.add_argument("--out", default="site", help="folder for index.html (default site/)")
    portal.set_defaults(func=_portal)
    install = sub.add_parser("install-exes", help="install mf6, mfnwt, mt3dusgs and mp7")
    install.add_argument("--bindir", default=None, help="target folder (default: inside the venv)")
    install.add_argument("--force", action="store_true", help="reinstall even if present")
    install.add_argument(
        "--mf6", default=None, help="use this mf6 executable (e.g. a newer official release)"
    )
    install.set_defaults(func=_install)
    exes = sub.add_parser("exes", help="list the MODFLOW programs gwsim uses")
    exes.set_defaults(func=_list_exes)
    return parser


def log_folder() -> Path:
    """Where unexpected errors are logged: ``$GWSIM_LOG_DIR`` or ``<temp>/gwsim-logs``."""
    return Path(os.environ.get("GWSIM_LOG_DIR") or Path(tempfile.gettempdir()) / "gwsim-logs")


def _log_unexpected(argv: list[str] | None) -> Path:
    """Write the current exception's traceback to a new log file; return its path."""
    folder = log_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"gwsim-{stamp}-{os.getpid()}.log"
    path.write_text(
        f"gwsim {__version__}, command: gwsim {' '.join(argv if argv is not None else sys.argv[1:])}\n"
        + traceback.format_exc()
    )
    return path


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.simplefilter("default")
    warnings.formatwarning = lambda message, category, *a, **k: f"warning: {message}\n"
    try:
        return args.func(args)
    except EngineError as exc:
        print(f"gwsim: error: {exc}", file=sys.stderr)
        return 1
    except SpecErrors as exc:
        for error in exc.errors:
            print(f"gwsim: error: {error}", file=sys.stderr)
        return 2
    except GwsimError as exc:
        print(f"gwsim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gwsim: interrupted; the output folder is as it was", file=sys.stderr)
        return 130
    except Exception as exc:
        try:
            where = f"the full traceback is in {_log_unexpected(argv)}"
        except OSError as log_error:
            where = f"no log could be written ({log_error})"
        print(
            f"gwsim: internal error: {type(exc).__name__}: {exc}; {where} "
            "(the output folder is as it was; please report this with the log)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
