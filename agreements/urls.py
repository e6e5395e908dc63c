"""Routes of agreements and work-learning plans."""

from django.urls import path

from agreements import views

urlpatterns = [
    path("agreements/", views.agreement_list, name="agreement-list"),
    path("agreements/verify/", views.verify, name="agreement-verify"),
    path("agreements/templates/", views.template_list, name="agreement-template-list"),
    path("agreements/templates/edit/", views.template_edit, name="agreement-template-edit"),
    path(
        "agreements/templates/<int:pk>/preview.pdf", views.template_preview, name="agreement-template-preview"
    ),
    path("agreements/seal/", views.seal_settings, name="agreement-seal"),
    path("agreements/batches/", views.batch_list, name="agreement-batch-list"),
    path("agreements/batches/<int:pk>/", views.batch_detail, name="agreement-batch-detail"),
    path("agreements/batches/<int:pk>/download/", views.batch_download, name="agreement-batch-download"),
    path("agreements/sign/<str:token>/", views.agreement_sign_link, name="agreement-sign-link"),
    path(
        "agreements/sign/<str:token>/document.pdf",
        views.agreement_sign_link_pdf,
        name="agreement-sign-link-pdf",
    ),
    path("agreements/placement/<int:pk>/<str:kind>/", views.agreement_open, name="agreement-open"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement-detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement-edit"),
    path("agreements/<int:pk>/send/", views.agreement_send, name="agreement-send"),
    path("agreements/<int:pk>/sign/", views.agreement_sign, name="agreement-sign"),
    path("agreements/<int:pk>/amend/", views.agreement_amend, name="agreement-amend"),
    path("agreements/<int:pk>/outside/", views.agreement_outside, name="agreement-outside"),
    path(
        "agreements/<int:pk>/v<int:number>/document.pdf", views.version_document, name="agreement-version-pdf"
    ),
    path("agreements/<int:pk>/v<int:number>/final.pdf", views.version_final, name="agreement-version-final"),
    path("agreements/<int:pk>/<str:kind>.pdf", views.agreement_extra, name="agreement-extra"),
]
api_routes: list = []
