from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "casework.reviews"
    label = "reviews"
    verbose_name = _("案后复盘")

    def ready(self) -> None:
        from casework.core import verbs

        verbs.register(
            {
                "reviews.opened": _("启动案后复盘"),
                "reviews.finding_added": _("登记复盘问题"),
                "reviews.action_added": _("制定整改措施"),
                "reviews.action_completed": _("整改措施完成"),
                "reviews.evidence_added": _("整改佐证材料"),
                "reviews.action_verified": _("核验整改措施"),
                "reviews.closed": _("复盘结束"),
                "reviews.outcome_recorded": _("登记复议/诉讼"),
                "reviews.outcome_decided": _("登记复议/诉讼结果"),
                "reviews.rule_proposed": _("复盘问题反复出现,建议新增提醒规则"),
                "reviews.rule_proposal_decided": _("处理提醒规则建议"),
            }
        )
