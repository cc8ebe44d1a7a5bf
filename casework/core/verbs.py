"""Display names of audit verbs. Each app registers its own verbs in its AppConfig.ready()."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_labels: dict[str, Promise] = {}


def register(labels: dict[str, Promise]) -> None:
    _labels.update(labels)


def verb_label(verb: str) -> str:
    """The verb's name in the current language; an unregistered verb shows as itself."""
    return str(_labels.get(verb, verb))


register(
    {
        "auth.login": _("登录"),
        "auth.logout": _("退出登录"),
        "auth.login_failed": _("登录失败"),
        "auth.locked_out": _("账号锁定"),
        "auth.session_expired": _("会话超时退出"),
        "auth.token_issued": _("签发 API 令牌"),
        "access.denied": _("越权访问被拒绝"),
        "audit.chain_broken": _("审计链断裂"),
        "audit.exported": _("导出审计记录"),
    }
)
