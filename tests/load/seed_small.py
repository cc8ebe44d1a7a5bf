"""A small data set for the load test when `seed_scale` is not available.

`.ci/loadtest` runs it as `manage.py shell < tests/load/seed_small.py` after `seed_demo`: for
each demo station, cases through the real services (started, some accepted and under
investigation with a suspect, some with a signed property inventory, some waiting for the
disposition review). Idempotent enough: it adds cases only while a station has fewer than the
target. Not a pytest module.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from casework.cases.models import Case
from casework.cases.services import checklist_for
from casework.inventory import services as inventory
from casework.workflow import services as flow
from casework.workflow.selectors import review_queue

User = get_user_model()
PER_STATION = 60
STATIONS = {  # station: (handlers, legal officer)
    "XQ": (["officer_xq1", "officer_xq2"], "legal_xq"),
    "PL": (["officer_pl1"], "legal_pl"),
}
ITEMS = [
    {"category": "phone", "name": "手机", "quantity": 1, "unit": "部", "marks": "黑色"},
    {"category": "keys", "name": "钥匙", "quantity": 3, "unit": "把"},
]

for code, (handlers, legal_name) in STATIONS.items():
    officer = User.objects.get(username=handlers[0])
    legal = User.objects.get(username=legal_name)
    have = Case.objects.filter(station__code=code).count()
    for i in range(have, PER_STATION):
        case = flow.case_start(
            by=officer,
            kind="administrative" if i % 3 else "criminal",
            title=f"负载测试案件 {code}-{i:03d}",
            summary="某日某时许,报警人称在辖区某路段发生纠纷,民警到场处置。",
            occurred_at=timezone.now() - timedelta(days=i % 20),
            handlers=handlers,
        )
        # The suspect before the review: a party added later makes the approval stale.
        suspect = flow.party_add(
            by=officer, case_id=case.pk, role="suspect", name=f"张{i}", gender="M"
        )
        if i % 4 == 0:
            continue  # stays at the acceptance review
        task = review_queue(user=legal).filter(process__caseprocess__case=case).first()
        ticks = {item.code: True for item in checklist_for(case, "acceptance")}
        flow.review_decide(by=legal, task_id=task.pk, decision="approve", checklist=ticks)
        if i % 3 == 0:
            opened = inventory.inventory_open(
                by=officer, case_id=case.pk, party_id=suspect.pk, items=ITEMS, place="候问室"
            )
            second = handlers[1] if len(handlers) > 1 else ""
            inventory.inventory_sign(
                by=officer,
                inventory_id=opened.pk,
                suspect_signature="signed",
                second_officer=second,
                witness_name="" if second else "李某",
            )
        if i % 5 == 0:
            flow.disposition_propose(
                by=officer, case_id=case.pk, proposal="警告", legal_basis="治安管理处罚法"
            )
print("cases:", Case.objects.count())
