"""`python -m bot.rasa.cli ARGS` is `rasa ARGS` with bot.rasa.speedups applied.

`almere run` (bot.processes.rasa_server) and deploy/docker-compose.yml start the Rasa
server this way; `make train` trains with it.
"""

from __future__ import annotations


def main() -> None:
    from bot.rasa import speedups

    speedups.apply()  # before Rasa's CLI imports TensorFlow

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
