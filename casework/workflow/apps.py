from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "casework.workflow"
    label = "workflow"
    verbose_name = _("案件流程")

    def ready(self) -> None:
        from casework.core import verbs
        from casework.workflow import flows  # noqa: F401 - flow permissions exist after migrate

        verbs.register(
            {
                "workflow.started": _("启动案件流程"),
                "workflow.resubmitted": _("补正后重新提交"),
                "workflow.gate_reopened": _("审核环节重新开启"),
            }
        )
