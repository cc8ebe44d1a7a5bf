"""The accounts the load test's virtual users log in with, by role, as JSON.

Run by `.ci/loadtest` as `manage.py shell < tests/load/accounts.py` with LOAD_USERS_FILE set;
writes {"officer": [...], "legal_officer": [...], "chief": [...], "bureau_legal": [...]}.
Officers who handle cases under investigation come first (they record steps on them), legal
officers and chiefs of the stations with the most cases first (a real mix: the busy stations
are the ones whose people are online). Not a pytest module.
"""

import json
import os

from django.contrib.auth import get_user_model
from django.db.models import Count, F, OuterRef, Subquery

from casework.cases.models import Case, CaseHandler

User = get_user_model()
LIMITS = {"officer": 60, "legal_officer": 20, "chief": 20, "bureau_legal": 3}


def _pick(role: str, limit: int) -> list[str]:
    users = User.objects.filter(groups__name=role, is_active=True)
    if role == "bureau_legal":
        return list(users.order_by("username").values_list("username", flat=True)[:limit])
    users = users.filter(profile__station__isnull=False)
    if role == "officer":
        busy = (
            CaseHandler.objects.filter(user=OuterRef("pk"), case__status=Case.Status.INVESTIGATING)
            .values("user")
            .annotate(n=Count("pk"))
            .values("n")
        )
        users = users.annotate(busy=Subquery(busy)).order_by(
            F("busy").desc(nulls_last=True), "username"
        )
    else:
        cases = (
            Case.objects.filter(station=OuterRef("profile__station"))
            .values("station")
            .annotate(n=Count("pk"))
            .values("n")
        )
        users = users.annotate(cases=Subquery(cases)).order_by(
            F("cases").desc(nulls_last=True), "username"
        )
    return list(users.values_list("username", flat=True)[:limit])


accounts = {role: _pick(role, limit) for role, limit in LIMITS.items()}
with open(os.environ["LOAD_USERS_FILE"], "w", encoding="utf-8") as out:
    json.dump(accounts, out, ensure_ascii=False, indent=1)
