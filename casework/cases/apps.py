from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "casework.cases"
    label = "cases"
    verbose_name = _("警情与案件")

    def ready(self) -> None:
        from casework.core import verbs

        verbs.register(
            {
                "incidents.registered": _("登记警情"),
                "incidents.dispatch": _("派警"),
                "incidents.handle": _("警情处置完毕"),
                "incidents.closed": _("警情办结"),
                "incidents.diverted": _("非警务分流"),
                "incidents.flagged": _("标记警情问题"),
                "incidents.flag_answered": _("答复警情监督标记"),
                "incidents.daily_report_made": _("生成每日警情分析表"),
                "incidents.daily_item_answered": _("答复每日警情分析表"),
                "incidents.daily_report_cleared": _("每日警情分析表全部答复"),
                "cases.opened": _("受理案件"),
                "cases.updated": _("修改案件"),
                "cases.party_added": _("添加当事人"),
                "cases.measure_added": _("登记强制措施"),
                "cases.event_added": _("登记办案节点"),
                "cases.supervision_opened": _("发起侦办监督"),
                "cases.supervision_answered": _("答复侦办监督"),
                "cases.gate_approve": _("审核通过"),
                "cases.gate_return": _("审核退回"),
                "cases.gate_stale": _("审核结论失效"),
                "cases.disposition_proposed": _("提出处理意见"),
                "cases.review_claimed": _("认领审核任务"),
                "cases.checklist_saved": _("修改审核检查项"),
            }
        )
