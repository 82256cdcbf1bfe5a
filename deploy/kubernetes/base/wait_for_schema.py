"""Wait until the ticket database is at the migration revision of this image, then exit 0.

The init container of every server runs it (mounted from a ConfigMap), so that no server starts
before the almere-migrate Job has run `almere db upgrade`. It only reads: it never migrates.
"""

import time

from sqlalchemy.exc import SQLAlchemyError

from bot.config import load_settings
from bot.tickets.database import SchemaNotCurrent, create_engine_for, ensure_schema_current

SECONDS_BETWEEN_CHECKS = 5


def main() -> None:
    engine = create_engine_for(load_settings().database_url)
    while True:
        try:
            ensure_schema_current(engine)
        except (SchemaNotCurrent, SQLAlchemyError) as error:
            print(f"Waiting for the ticket database: {str(error).splitlines()[0]}", flush=True)
            time.sleep(SECONDS_BETWEEN_CHECKS)
        else:
            print("The ticket database is at the current revision.", flush=True)
            engine.dispose()
            return


if __name__ == "__main__":
    main()
