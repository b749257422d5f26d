from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from haven.accounts.http import authenticated_user
from haven.desk.trail import selectors
from haven.desk.trail.forms import AuditFilterForm
from haven.desk.trail.selectors import PAGE_SIZE, AuditFilter


def event_list(request: HttpRequest) -> HttpResponse:
    user = authenticated_user(request)
    actors = selectors.audit_actors(user=user)
    form = AuditFilterForm(request.GET or None, actors=actors)
    filters = form.to_filter() if form.is_valid() else AuditFilter()
    if form.is_bound and not form.is_valid():
        events = []
    else:
        events = selectors.audit_events(user=user, filters=filters)
    has_more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    next_query = None
    if has_more:
        query = request.GET.copy()
        query["before"] = str(events[-1].seq)
        next_query = query.urlencode()
    template = "audit/partials/event_table.html" if request.htmx else "audit/event_list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "events": events,
            "rows": selectors.event_rows(user=user, events=events),
            "next_query": next_query,
        },
        status=400 if form.errors else 200,
    )
