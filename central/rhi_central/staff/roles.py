"""Roles and what each may do: the one authorisation matrix of the console.

Least privilege, as the service's DPO would ask (RHI-DOMAIN.md, "Who may see what"): the Missing
Lead and managers see every child; a social worker sees only the children allocated to them;
performance officers see counts, never names; administrators run users and integrations and
never see a child's record. Each console route names the permissions that open it; the
navigation and the tests are generated from the same table.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MISSING_LEAD = "missing-lead"
    MANAGER = "manager"
    SOCIAL_WORKER = "social-worker"
    PERFORMANCE = "performance"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def description(self) -> str:
        return _ROLE_DESCRIPTIONS[self]


class Permission(StrEnum):
    BOARD = "board"  # the line of sight with children's names (social worker: own children)
    BOARD_COUNTS = "board.counts"  # the line of sight as counts only
    CHILD_VIEW = "child.view"
    EPISODE_RECORD = "episode.record"
    EPISODE_IMPORT = "episode.import"
    ALLOCATE = "child.allocate"
    WORKLOAD = "workload"
    TASKS = "tasks"
    TASK_DECIDE = "task.decide"
    DAILY_REPORT = "report.daily"
    USERS = "users"
    INTEGRATIONS = "integrations"
    ACCOUNT = "account"  # one's own account: everyone signed in


_EVERYONE = frozenset({Permission.ACCOUNT})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MISSING_LEAD: _EVERYONE
    | {
        Permission.BOARD,
        Permission.CHILD_VIEW,
        Permission.EPISODE_RECORD,
        Permission.EPISODE_IMPORT,
        Permission.ALLOCATE,
        Permission.WORKLOAD,
        Permission.TASKS,
        Permission.TASK_DECIDE,
        Permission.DAILY_REPORT,
    },
    Role.MANAGER: _EVERYONE
    | {
        Permission.BOARD,
        Permission.CHILD_VIEW,
        Permission.WORKLOAD,
        Permission.TASKS,
        Permission.TASK_DECIDE,
        Permission.DAILY_REPORT,
    },
    Role.SOCIAL_WORKER: _EVERYONE | {Permission.BOARD, Permission.CHILD_VIEW},
    Role.PERFORMANCE: _EVERYONE | {Permission.BOARD_COUNTS},
    Role.ADMIN: _EVERYONE | {Permission.USERS, Permission.INTEGRATIONS},
}

# Roles that see every child (the others see none, or only their own: see ``sees_all``).
ALL_CHILDREN_ROLES = frozenset({Role.MISSING_LEAD, Role.MANAGER})
# Who a child can be allocated to: the workers whose laptops hold RHIs.
ALLOCATABLE_ROLES = frozenset({Role.SOCIAL_WORKER})

_ROLE_LABELS = {
    Role.MISSING_LEAD: "Missing Lead",
    Role.MANAGER: "Manager",
    Role.SOCIAL_WORKER: "Social or adolescent worker",
    Role.PERFORMANCE: "Performance officer",
    Role.ADMIN: "Administrator",
}
_ROLE_DESCRIPTIONS = {
    Role.MISSING_LEAD: "Every child: episodes in, allocation, line of sight, escalations.",
    Role.MANAGER: "Head of Service and team managers: read everything, act on escalations.",
    Role.SOCIAL_WORKER: "Only the children allocated to them; holds RHIs on a laptop.",
    Role.PERFORMANCE: "Figures and returns, never a child's name.",
    Role.ADMIN: "Users, devices, forms and integrations; never a child's record.",
}


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValueError(f"'{text}' is not a role: use one of {roles}.") from None


def can(role: Role, *permissions: Permission) -> bool:
    """True if the role holds any of ``permissions``."""
    held = ROLE_PERMISSIONS[role]
    return any(p in held for p in permissions)


def sees_all_children(role: Role) -> bool:
    return role in ALL_CHILDREN_ROLES
