import pytest
from django.core.management import call_command
from django.db import connection


@pytest.mark.django_db
def test_optimize_db_leaves_planner_statistics():
    call_command("optimize_db")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
