from haven.protocol.views import tracker

app_name = "protocol"

urlpatterns = [*tracker.urlpatterns]
