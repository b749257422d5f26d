"""Pages of the protocol, one module per area; each exports ``urlpatterns``."""
