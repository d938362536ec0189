"""Store each content item's column, and index what the public pages read.

* ``parent_column`` with the index (parent_column, pub_date DESC, page_ptr DESC):
  a column's newest items are an index range, not a rank of the whole subtree.
* An index on ``wagtailcore_page (depth, path)``: treebeard's children queries
  (``depth = d AND path LIKE 'p%'``) then read the children only, not every
  descendant (every page's menu asks for its home's children).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


BACKFILL = """
UPDATE portal_contentpage SET parent_column_id = (
    SELECT parent.id
    FROM wagtailcore_page child
    JOIN wagtailcore_page parent ON parent.path = substr(child.path, 1, length(child.path) - 4)
    JOIN portal_columnpage col ON col.page_ptr_id = parent.id
    WHERE child.id = portal_contentpage.page_ptr_id
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_also_in_limit'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='contentpage',
            name='parent_column',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='own_items', to='portal.columnpage'),
        ),
        migrations.AddIndex(
            model_name='contentpage',
            index=models.Index(fields=['parent_column', '-pub_date', '-page_ptr'], name='portal_content_listing'),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS portal_page_depth_path ON wagtailcore_page (depth, path)",
            "DROP INDEX IF EXISTS portal_page_depth_path",
        ),
    ]
