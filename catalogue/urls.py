"""Routes of this area: page urlpatterns and API (prefix, viewset, basename) routes."""

from django.urls import path

from catalogue import api, views

urlpatterns: list = [
    path("catalogue/programmes/", views.programme_list, name="programme-list"),
    path("catalogue/programmes/new/", views.programme_create, name="programme-create"),
    path("catalogue/programmes/<int:pk>/", views.programme_detail, name="programme-detail"),
    path("catalogue/programmes/<int:pk>/edit/", views.programme_edit, name="programme-edit"),
    path("catalogue/calendars/", views.calendar_list, name="calendar-list"),
    path("catalogue/calendars/new/", views.calendar_create, name="calendar-create"),
    path("catalogue/calendars/<int:pk>/", views.calendar_detail, name="calendar-detail"),
    path("catalogue/calendars/<int:pk>/edit/", views.calendar_edit, name="calendar-edit"),
    path(
        "catalogue/calendars/<int:pk>/programmes/<int:programme_pk>/years/<int:year>/",
        views.calendar_plan,
        name="calendar-plan",
    ),
    path("catalogue/calendars/<int:pk>/class-days/new/", views.classday_create, name="classday-create"),
    path("catalogue/class-days/<int:pk>/delete/", views.classday_delete, name="classday-delete"),
    path("catalogue/calendars/<int:pk>/holidays/new/", views.holiday_create, name="holiday-create"),
    path("catalogue/holidays/<int:pk>/edit/", views.holiday_edit, name="holiday-edit"),
    path("catalogue/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday-delete"),
]


# Rows of a programme: /catalogue/programmes/<programme pk>/<segment>/new/ and
# /catalogue/<segment>/<pk>/edit/, named "<key>-create" and "<key>-edit".
CHILD_SEGMENTS = {
    "programmeyear": "years",
    "period": "periods",
    "role": "roles",
    "learningline": "learning-lines",
    "courseunit": "course-units",
    "competence": "competences",
    "wplunit": "wpl-units",
}


for key, segment in CHILD_SEGMENTS.items():
    urlpatterns += [
        path(f"catalogue/programmes/<int:pk>/{segment}/new/", views.child_create(key), name=f"{key}-create"),
        path(f"catalogue/{segment}/<int:pk>/edit/", views.child_edit(key), name=f"{key}-edit"),
    ]


api_routes: list = [
    ("catalogue/programmes", api.ProgrammeViewSet, "api-programme"),
    ("catalogue/wpl-units", api.WplUnitViewSet, "api-wplunit"),
    ("catalogue/periods", api.PeriodViewSet, "api-period"),
    ("catalogue/calendars", api.CalendarViewSet, "api-calendar"),
]
