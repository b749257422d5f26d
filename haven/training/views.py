"""Pages of staff training: each staff member's own training, the agency
overview, training records, in-service events, and the topics with their
refresher intervals."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from haven.accounts.http import allowed_user
from haven.accounts.models import User
from haven.core.forms import show_refusal
from haven.core.http import see_other
from haven.partners.models import Organization
from haven.training import policies, selectors, services
from haven.training.forms import (
    CertificateForm,
    EventForm,
    RecordFilterForm,
    RecordForm,
    RefresherForm,
    TopicForm,
)

MY_RECORDS = 200


def _partners(user: User) -> list[Organization]:
    return list(Organization.objects.filter(agency_id=user.agency_id).order_by("name", "id"))


def _links(user: User) -> dict[str, bool]:
    return {
        "keeps": policies.may_keep_training(user),
        "reads_agency": policies.may_read_agency_training(user),
        "may_see_overview": policies.may_see_overview(user),
    }


@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_own_training)
    today = timezone.localdate()
    records = selectors.records_of(user=user, wanted=selectors.RecordFilter(staff_id=user.pk))
    return render(
        request,
        "training/mine.html",
        {
            "refreshers": selectors.my_refreshers(user=user, today=today),
            "records": list(records[:MY_RECORDS]),
            **_links(user),
        },
    )


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_see_overview)
    return render(
        request,
        "training/overview.html",
        {"overview": selectors.overview(user=user, today=timezone.localdate()), **_links(user)},
    )


@require_GET
def records(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_read_agency_training)
    form = RecordFilterForm(
        request.GET or None,
        staff=list(User.objects.filter(agency_id=user.agency_id).order_by("username")),
        topics=selectors.topic_rows(user=user),
    )
    page = selectors.record_page(user=user, wanted=form.wanted(), page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "training/records.html",
        {"form": form, "page": page, "query": query.urlencode(), **_links(user)},
    )


@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_training)
    posted = request.method == "POST"
    wanted_staff = request.GET.get("staff", "")
    form = RecordForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        staff=selectors.staff_choices(user=user),
        topics=selectors.topic_rows(user=user),
        partners=_partners(user),
        initial={
            "completed_on": timezone.localdate(),
            "staff": wanted_staff if wanted_staff.isdigit() else "",
        },
    )
    if posted and form.is_valid():
        try:
            record = services.training_record(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The training is recorded."))
            return see_other("training:record", record.pk)
    return render(
        request, "training/record_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, record_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_see_own_training)
    found = selectors.record_get(user=user, record_id=record_id)
    keeps = policies.may_keep_training(user)
    posted = request.method == "POST"
    if posted and not keeps:
        raise Http404
    form = CertificateForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            services.certificate_add(
                actor=user, record_id=found.pk, upload=form.cleaned_data["certificate"]
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The certificate is kept."))
            return see_other("training:record", found.pk)
    return render(
        request,
        "training/record.html",
        {
            "record": found,
            "form": form,
            "keeps": keeps,
            "opens_certificate": policies.may_open_certificate(user),
            "reads_agency": policies.may_read_agency_training(user),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_read_agency_training)
    page = selectors.event_page(user=user, page=request.GET.get("page"))
    return render(request, "training/events.html", {"page": page, **_links(user)})


@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_training)
    posted = request.method == "POST"
    form = EventForm(
        request.POST if posted else None,
        staff=selectors.staff_choices(user=user),
        topics=selectors.topic_rows(user=user),
        partners=_partners(user),
        initial={"held_on": timezone.localdate(), "outside_professionals": 0},
    )
    if posted and form.is_valid():
        try:
            event = services.event_record(actor=user, values=form.values())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("The in-service training is recorded."))
            return see_other("training:event", event.pk)
    return render(
        request, "training/event_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
def event(request: HttpRequest, event_id: uuid.UUID) -> HttpResponse:
    user = allowed_user(request, policies.may_read_agency_training)
    found = selectors.event_get(user=user, event_id=event_id)
    return render(
        request,
        "training/event.html",
        {
            "event": found,
            "partners": list(found.partners.order_by("name")),
            "records": list(found.records.select_related("staff").order_by("staff__username")),
        },
    )


@require_http_methods(["GET", "POST"])
def topics(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request, policies.may_keep_training)
    rows = selectors.topic_rows(user=user)
    posted = request.POST.get("form") if request.method == "POST" else None
    topic_form = TopicForm(request.POST if posted == "topic" else None, prefix="topic")
    refresher_form = RefresherForm(
        request.POST if posted == "refresher" else None, topics=rows, prefix="refresher"
    )
    if posted == "topic" and topic_form.is_valid():
        try:
            services.topic_add(actor=user, name=topic_form.cleaned_data["name"])
        except ValidationError as error:
            show_refusal(topic_form, error)
        else:
            messages.success(request, _("The topic is added."))
            return see_other("training:topics")
    elif posted == "refresher" and refresher_form.is_valid():
        try:
            services.refresher_set(
                actor=user,
                topic_id=int(refresher_form.cleaned_data["topic"]),
                months=refresher_form.cleaned_data["months"],
            )
        except ValidationError as error:
            show_refusal(refresher_form, error)
        else:
            messages.success(request, _("The refresher interval is saved."))
            return see_other("training:topics")
    elif request.method == "POST" and posted not in {"topic", "refresher"}:
        raise Http404
    failed = topic_form.errors or refresher_form.errors
    return render(
        request,
        "training/topics.html",
        {"rows": rows, "topic_form": topic_form, "refresher_form": refresher_form},
        status=400 if failed else 200,
    )
