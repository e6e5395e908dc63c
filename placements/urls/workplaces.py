"""Routes of this area: page urlpatterns and API (prefix, viewset, basename) routes."""

urlpatterns: list = []
api_routes: list = []
