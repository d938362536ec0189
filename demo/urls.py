"""What the demo city serves itself: the ferry operator's feeds on loopback (demo/feeds.py)."""

from django.urls import path

from . import feeds

app_name = "demo"

urlpatterns = [
    path("ferry/gtfs.zip", feeds.gtfs_static, name="ferry_gtfs"),
    path("ferry/realtime.pb", feeds.gtfs_realtime, name="ferry_gtfs_rt"),
]
