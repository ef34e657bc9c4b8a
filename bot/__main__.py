"""`python -m bot` is the `smarketing` command."""

from bot.cli import main

raise SystemExit(main())
