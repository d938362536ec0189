from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Rss201rev2Feed

from .queries import column_items


class ColumnFeed(Feed):
    """RSS 2.0 feed of a column's latest 30 items."""

    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, column):
        return column

    def title(self, column):
        home = column.home
        return f"{home.title} · {column.title}"

    def link(self, column):
        return column.get_url(self.request)

    def description(self, column):
        return column.intro or column.title

    def items(self, column):
        return column_items(column)[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary or item.title

    def item_link(self, item):
        return item.get_url(self.request)

    def item_pubdate(self, item):
        return item.pub_date
