"""Pages and API routes of the placements app, one module per area."""

from placements.urls import catalogue, matching, people, workplaces

app_urlpatterns = [
    *catalogue.urlpatterns,
    *workplaces.urlpatterns,
    *people.urlpatterns,
    *matching.urlpatterns,
]
api_routes = [
    *catalogue.api_routes,
    *workplaces.api_routes,
    *people.api_routes,
    *matching.api_routes,
]
