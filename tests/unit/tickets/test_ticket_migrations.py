"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.tickets.database import (
    SchemaNotCurrent,
    alembic_config,
    create_engine_for,
    ensure_schema_current,
    head_revision,
    upgrade_database,
)
from bot.tickets.models import metadata


def test_autogenerate_finds_no_difference_with_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_migrated_database_is_current(engine):
    ensure_schema_current(engine)
    assert set(inspect(engine).get_table_names()) >= set(metadata.tables)


def test_downgrade_and_upgrade_again(database_url, engine):
    command.downgrade(alembic_config(database_url), "base")
    with pytest.raises(SchemaNotCurrent, match="almere db upgrade"):
        ensure_schema_current(engine)
    assert not set(inspect(engine).get_table_names()) & set(metadata.tables)

    upgrade_database(database_url)
    upgrade_database(database_url)  # running it again changes nothing
    ensure_schema_current(engine)


def test_unmigrated_database_is_reported(tmp_path):
    engine = create_engine_for(f"sqlite:///{tmp_path / 'new' / 'empty.db'}")
    with pytest.raises(SchemaNotCurrent, match=f"expects {head_revision()}"):
        ensure_schema_current(engine)
    assert (tmp_path / "new").is_dir()
    engine.dispose()
