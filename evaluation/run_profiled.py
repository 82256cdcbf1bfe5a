"""Run a Python module under pyinstrument, recording only between two signals.

`python -m evaluation.run_profiled OUT -- rasa run ...` runs ``python -m rasa run ...``;
SIGUSR1 starts the profiler, SIGUSR2 stops it and writes OUT.txt (call tree),
OUT-flat.txt (functions by own time) and OUT.html. So a
server's start-up stays out of the profile and only the requests in between are in it.
"""

from __future__ import annotations

import runpy
import signal
import sys
from pathlib import Path

INTERVAL_S = 0.0005
# Library code worth seeing in the call tree (pyinstrument hides site-packages by default).
SHOW = r".*/(rasa|rasa_sdk|actions|bot|spacy|sklearn|scipy|sqlalchemy|aiohttp|sanic|tensorflow|keras)/.*"


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) < 3 or arguments[1] != "--":
        raise SystemExit("usage: python -m evaluation.run_profiled OUT -- MODULE [ARGS...]")
    out, module, module_arguments = Path(arguments[0]), arguments[2], arguments[3:]

    from pyinstrument import Profiler

    # async_mode "disabled": every sample of the server's thread, whichever task runs.
    profiler = Profiler(interval=INTERVAL_S, async_mode="disabled")

    def start(*_: object) -> None:
        if not profiler.is_running:
            profiler.start()

    def stop(*_: object) -> None:
        if profiler.is_running:
            profiler.stop()
            out.parent.mkdir(parents=True, exist_ok=True)
            options = {"show_regex": SHOW, "filter_threshold": 0.01}
            out.with_suffix(".txt").write_text(
                profiler.output_text(unicode=True, time="percent_of_total", processor_options=options)
            )
            out.with_name(out.name + "-flat.txt").write_text(
                profiler.output_text(unicode=True, flat=True, time="percent_of_total", show_all=True)
            )
            out.with_suffix(".html").write_text(profiler.output_html())

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = [module, *module_arguments]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
