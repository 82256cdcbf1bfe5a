"""`python -m bot` is the `almere` command."""

from bot.cli import main

main()
