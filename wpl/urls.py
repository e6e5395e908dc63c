from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from wpl import api_views, views


def feature_urls() -> list:
    """The `urls` module of every installed feature app (the core imports none by name)."""
    modules = []
    for name in settings.WPL_FEATURE_APPS:
        if module_has_submodule(apps.get_app_config(name).module, "urls"):
            modules.append(import_module(f"{name}.urls"))
    return modules


FEATURE_URLS = feature_urls()

router = DefaultRouter()
router.register("memberships", api_views.MembershipViewSet, basename="membership")
for module in FEATURE_URLS:
    for prefix, viewset, basename in getattr(module, "api_routes", []):
        router.register(prefix, viewset, basename=basename)

api_urlpatterns = [
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("token/", api_views.ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("switch/", views.switch_membership, name="switch-membership"),
    path("people/", views.people_list, name="people-list"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("health/", views.health, name="health"),
    path("institution/settings/", views.institution_settings, name="institution-settings"),
    path("institution/logo/", views.institution_logo, name="institution-logo"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    *(pattern for module in FEATURE_URLS for pattern in module.urlpatterns),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
]
