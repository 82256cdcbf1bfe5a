"""`python -m bot.rasa_cli ARGS` is `rasa ARGS` with bot.rasa_speedups applied.

`almere run` (bot.processes.rasa_server) and deploy/docker-compose.yml start the Rasa
server this way; `make train` trains with it.
"""

from __future__ import annotations


def main() -> None:
    from bot import rasa_speedups

    rasa_speedups.apply()  # before Rasa's CLI imports TensorFlow

    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
