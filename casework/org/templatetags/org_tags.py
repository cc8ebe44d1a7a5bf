from django import template

from casework.org.roles import Role

register = template.Library()


@register.filter
def role_label(name: str) -> str:
    """A role's display name (民警, 法制员…) from its group name."""
    return str(Role(name).label) if name in Role.values else name
