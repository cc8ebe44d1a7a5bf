"""Reads of retrospectives, always through the case's visibility."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Avg, Count, Q, QuerySet

from casework.cases.models import CaseHandler, Gate, GateDecision
from casework.cases.selectors import case_list
from casework.core.errors import NotFoundOrForbidden, as_id
from casework.org.scoping import user_station_id
from casework.reviews.models import (
    ActionEvidence,
    CorrectiveAction,
    Outcome,
    Retrospective,
    RuleProposal,
)


def retrospective_list(*, user: Any, case_id: int | None = None) -> QuerySet[Retrospective]:
    if not user.has_perm("reviews.view_retrospective"):
        return Retrospective.objects.none()
    found = Retrospective.objects.filter(case__in=case_list(user=user).values("pk"))
    if case_id is not None:
        found = found.filter(case_id=case_id)
    return found.select_related("case", "station", "opened_by").order_by("-opened_at", "-pk")


def access_retrospective(user: Any, retrospective_id: object) -> Retrospective:
    found = retrospective_list(user=user).filter(pk=as_id(retrospective_id)).first()
    if found is None:
        exists = Retrospective.objects.filter(pk=as_id(retrospective_id)).exists()
        raise NotFoundOrForbidden(
            target_type="reviews.retrospective", target_id=retrospective_id, denied=exists
        )
    return found


def access_action(user: Any, action_id: object) -> CorrectiveAction:
    action = CorrectiveAction.objects.filter(pk=as_id(action_id)).first()
    visible = action is not None and (
        retrospective_list(user=user).filter(pk=action.retrospective_id).exists()
        or action.owner_id == getattr(user, "pk", None)
    )
    if not visible:
        raise NotFoundOrForbidden(
            target_type="reviews.correctiveaction", target_id=action_id, denied=action is not None
        )
    assert action is not None
    return action


def access_evidence(user: Any, evidence_id: object) -> ActionEvidence:
    """An evidence file, to whoever may see its action."""
    evidence = ActionEvidence.objects.filter(pk=as_id(evidence_id)).first()
    if evidence is None:
        raise NotFoundOrForbidden(target_type="reviews.actionevidence", target_id=evidence_id)
    access_action(user, evidence.action_id)
    return evidence


def proposals_for(user: Any) -> QuerySet[RuleProposal]:
    """The rule proposals of the legal officer's station, pending first; none for others."""
    station = user_station_id(user)
    if station is None or not user.has_perm("reviews.verify_action"):
        return RuleProposal.objects.none()
    pending = models.Case(
        models.When(status=RuleProposal.Status.PROPOSED, then=models.Value(0)),
        default=models.Value(1),
        output_field=models.IntegerField(),
    )
    return (
        RuleProposal.objects.filter(station_id=station)
        .select_related("category", "rule", "decided_by__profile")
        .annotate(pending=pending)
        .order_by("pending", "-created_at", "-pk")
    )


def review_figures(*, user: Any, year: int, station_id: int | None = None) -> dict[str, int]:
    """The station's 案后复盘 figures for a year, from the data (the seed station's "22
    retrospectives, 16 actions implemented, 0 reconsiderations"); all visible stations when
    `station_id` is None."""
    visible = case_list(user=user)
    if station_id is not None:
        visible = visible.filter(station_id=station_id)
    cases = visible.values("pk")
    outcomes = Outcome.objects.filter(case__in=cases, filed_on__year=year)
    return {
        "retrospectives": Retrospective.objects.filter(
            case__in=cases, opened_at__year=year
        ).count(),
        "actions_verified": CorrectiveAction.objects.filter(
            retrospective__case__in=cases,
            status=CorrectiveAction.Status.VERIFIED,
            verified_at__year=year,
        ).count(),
        "reconsiderations": outcomes.filter(kind=Outcome.Kind.RECONSIDERATION).count(),
        "litigations": outcomes.filter(kind=Outcome.Kind.LITIGATION).count(),
    }


def evaluation_figures(*, user: Any, year: int) -> dict[str, Any]:
    """案件评查 rolled up: the year's evaluated cases, their average score for the station(s)
    the user sees, and per responsible officer. The score sheet is the evaluation gate's
    checklist, configured per case kind (ChecklistItem.points)."""

    scored = GateDecision.objects.filter(
        case__in=case_list(user=user).values("pk"),
        gate=Gate.EVALUATION,
        score__isnull=False,
        stale_at__isnull=True,
        decided_at__year=year,
    )
    overall = scored.aggregate(cases=Count("case", distinct=True), average=Avg("score"))
    by_officer = (
        CaseHandler.objects.filter(
            role=CaseHandler.Role.RESPONSIBLE, case__in=scored.values("case")
        )
        .values("user__username", "user__profile__display_name")
        .annotate(
            cases=Count("case", distinct=True),
            average=Avg(
                "case__decisions__score",
                filter=Q(
                    case__decisions__gate=Gate.EVALUATION, case__decisions__stale_at__isnull=True
                ),
            ),
        )
        .order_by("user__username")
    )
    return {
        "cases": overall["cases"],
        "average": round(overall["average"], 1) if overall["average"] is not None else None,
        "officers": [
            {
                "username": row["user__username"],
                "display_name": row["user__profile__display_name"],
                "cases": row["cases"],
                "average": round(row["average"], 1),
            }
            for row in by_officer
        ],
    }


def with_counts(found: QuerySet[Retrospective]) -> QuerySet[Retrospective]:
    verified = Q(actions__status=CorrectiveAction.Status.VERIFIED)
    return found.annotate(
        findings_count=Count("findings", distinct=True),
        actions_count=Count("actions", distinct=True),
        actions_verified=Count("actions", filter=verified, distinct=True),
    )


def actions_owned(user: Any) -> QuerySet[CorrectiveAction]:
    """The corrective actions `user` owns: still to do first, then by due date."""
    rank = models.Case(
        models.When(
            status__in=[CorrectiveAction.Status.OPEN, CorrectiveAction.Status.REJECTED],
            then=models.Value(0),
        ),
        models.When(status=CorrectiveAction.Status.DONE, then=models.Value(1)),
        default=models.Value(2),
        output_field=models.IntegerField(),
    )
    return (
        CorrectiveAction.objects.filter(owner=user)
        .select_related(
            "retrospective__case", "finding__category", "owner__profile", "verified_by__profile"
        )
        .prefetch_related("files")
        .annotate(rank=rank)
        .order_by("rank", "due_on", "pk")
    )
