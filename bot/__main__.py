"""`python -m bot` is the `almere` command."""

from bot.launcher.cli import main

main()
