# PostgreSQL only: the full-text index over claims and fact-checks moves from an expression
# (to_tsvector of the text, parsed again for every matching row when ranking) to a stored
# generated column with a GIN index over it (claims/fulltext.py). Adding the column rewrites
# both tables once. SQLite's FTS5 tables are untouched.
from django.db import migrations

from claims import fulltext


class Migration(migrations.Migration):
    dependencies = [("claims", "0008_merge_second_pass")]

    operations = [
        migrations.RunPython(fulltext.store_search_vectors, fulltext.drop_search_vectors),
    ]
