"""The staff desk: blueprints (sign-in, queue and tickets under ``/desk/``), its accounts, forms,
rate limits and CLI commands. The app that serves it is built by ``bot.site.create_app``."""
