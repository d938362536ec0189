"""The public pages of live data (the boards, 便民服务). Filled in by the faces work."""

app_name = "livedata"
urlpatterns = []
