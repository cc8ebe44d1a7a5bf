"""The city's stations and staff, with logins: who exists after `seed_scale`.

Each station `S001`, `S002`… has 40 staff, 2,000 in 50 stations, usernames by post:
`s001_chief`, `s001_instructor`, `s001_legal1`, `s001_legal2`, `s001_aux1`…`s001_aux4` (辅警) and
`s001_officer1`…`s001_officer32` (民警, who handle the cases). Bureau-wide: `bureau_legal1`
(分局法制大队), `bureau_auditor1`, `bureau_admin1` (numbered, so they never meet `seed_demo`'s
`bureau_legal`, `auditor`, `admin`). Every one signs in with the same password.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from casework.org.models import Profile, Station
from casework.org.roles import Role

# (username stem, role, how many a station has); the 民警 come last, see `People.officers`.
STAFF = (
    ("chief", Role.CHIEF, 1),
    ("instructor", Role.INSTRUCTOR, 1),
    ("legal", Role.LEGAL_OFFICER, 2),
    ("aux", Role.AUXILIARY, 4),
    ("officer", Role.OFFICER, 32),
)
STAFF_PER_STATION = sum(n for _stem, _role, n in STAFF)  # 40
OFFICERS_PER_STATION = STAFF[-1][2]
BUREAU = (("bureau_legal1", Role.BUREAU_LEGAL), ("bureau_auditor1", Role.AUDITOR),
          ("bureau_admin1", Role.ADMIN))  # fmt: skip
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def first_of(stem: str) -> int:
    """Where a post's first holder stands among a station's staff, counting from 1."""
    before = 0
    for name, _role, count in STAFF:
        if name == stem:
            return before + 1
        before += count
    raise KeyError(stem)


class SeedConflict(Exception):
    """The database already has the stations or logins the seed would create."""


@dataclass
class People:
    stations: list[Station]
    staff: list[int] = field(default_factory=list)  # user ids, STAFF_PER_STATION a station
    usernames: list[str] = field(default_factory=list)  # beside `staff`
    bureau: dict[str, int] = field(default_factory=dict)

    @property
    def officers(self) -> list[int]:
        """The 民警 of each station, OFFICERS_PER_STATION a station, station by station."""
        first = STAFF_PER_STATION - OFFICERS_PER_STATION
        return [
            pk
            for s in range(len(self.stations))
            for pk in self.staff[s * STAFF_PER_STATION + first : (s + 1) * STAFF_PER_STATION]
        ]


def _name(n: int) -> str:
    return _SURNAMES[n % 20] + _GIVEN[(n // 20) % 20] + _GIVEN[(n // 400) % 20]


def _station_staff(n: int) -> list[tuple[str, str, bool]]:
    """(username, role, is_auxiliary) of station number `n`, in STAFF order."""
    rows = []
    for stem, role, count in STAFF:
        for k in range(1, count + 1):
            suffix = str(k) if count > 1 else ""
            rows.append((f"s{n:03d}_{stem}{suffix}", str(role), role == Role.AUXILIARY))
    return rows


def people_create(*, n_stations: int, password: str) -> People:
    """Stations and staff in bulk: profiles, roles and one password hash shared by all (a
    PBKDF2 hash takes ~0.3 s; 2,000 of them would take ten minutes)."""
    codes = [f"S{n:03d}" for n in range(1, n_stations + 1)]
    usernames = [u for code in codes for u, _r, _a in _station_staff(int(code[1:]))]
    taken = [*Station.objects.filter(code__in=codes).values_list("code", flat=True),
             *get_user_model().objects.filter(username__in=usernames + [u for u, _r in BUREAU])
             .values_list("username", flat=True)]  # fmt: skip
    if taken:
        raise SeedConflict(f"already in this database: {', '.join(sorted(taken)[:5])}…")
    stations = Station.objects.bulk_create(
        Station(code=f"S{n:03d}", name=f"第{n}派出所", bureau="基准分局", province="山东省",
                city="东营市", county="东营区")
        for n in range(1, n_stations + 1)
    )  # fmt: skip
    rows: list[tuple[Station | None, str, str, bool]] = [
        (s, *row) for s in stations for row in _station_staff(int(s.code[1:]))
    ]
    rows += [(None, username, str(role), False) for username, role in BUREAU]
    hashed = make_password(password)
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=username, password=hashed, first_name=_name(n))
        for n, (_s, username, _r, _a) in enumerate(rows)
    )
    Profile.objects.bulk_create(
        Profile(user=user, station=station, police_number=f"C{n + 1:06d}",
                display_name=_name(n), is_auxiliary=auxiliary)
        for n, (user, (station, _u, _r, auxiliary)) in enumerate(zip(users, rows, strict=True))
    )  # fmt: skip
    groups = dict(Group.objects.values_list("name", "pk"))
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[role])
        for user, (_s, _u, role, _a) in zip(users, rows, strict=True)
    )
    staff = users[: len(users) - len(BUREAU)]
    return People(
        stations=stations,
        staff=[u.pk for u in staff],
        usernames=[u.username for u in staff],
        bureau={u.username: u.pk for u in users[len(staff) :]},
    )
