"""What the demo steps have created so far, handed from step to step.

Every step of :data:`exchange.demo.service.STEPS` receives the same :class:`World`. A step finds
what earlier steps made through it (``world.buyers()``, ``world.social_orgs()``, ``world.residents()``,
``world.managers()``, ``world.experts()``, ``world.evaluator()``, ``world.communities()``, …) and
records what it makes: ``world.add_org``, ``world.add_user`` (with the password, so the account is
printed), ``world.note("…")`` for a line in the summary, and ``world.data["offers"] = [...]`` for anything
else later steps need. Steps are idempotent: on a second run they find their rows and put them in the
world again instead of creating them.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from exchange.accounts.models import Role, User
from exchange.organizations.models import Kind, Organization
from exchange.regions.models import Level, Region


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    organization: str | None = None
    region: str | None = None


@dataclass
class World:
    """The demo district as it grows: regions by level, organizations by kind, users by role."""

    regions: dict[str, list[Region]] = field(default_factory=lambda: defaultdict(list))
    organizations: dict[str, list[Organization]] = field(default_factory=lambda: defaultdict(list))
    users: dict[str, list[User]] = field(default_factory=lambda: defaultdict(list))
    orgs_by_name: dict[str, Organization] = field(default_factory=dict)
    users_by_name: dict[str, User] = field(default_factory=dict)
    accounts: list[DemoAccount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(2026))

    # -- recording -------------------------------------------------------------------------------
    def add_region(self, region: Region) -> None:
        if region not in self.regions[region.level]:
            self.regions[region.level].append(region)

    def add_org(self, org: Organization) -> None:
        if org.name not in self.orgs_by_name:
            self.organizations[org.kind].append(org)
        self.orgs_by_name[org.name] = org

    def add_user(self, user: User, password: str) -> None:
        if user.username not in self.users_by_name:
            self.users[user.role].append(user)
            org = next((o.name for o in self.orgs_by_name.values() if o.id == user.organization_id), None)
            self.accounts.append(DemoAccount(user.username, password, user.role, user.display_name, org, user.region_code))
        self.users_by_name[user.username] = user

    def note(self, line: str) -> None:
        self.notes.append(line)

    # -- finding -----------------------------------------------------------------------------------
    @property
    def district(self) -> Region:
        return self.regions[Level.district][0]

    def subdistricts(self) -> list[Region]:
        return list(self.regions[Level.subdistrict])

    def communities(self) -> list[Region]:
        return list(self.regions[Level.community])

    def grids(self) -> list[Region]:
        return list(self.regions[Level.grid])

    def org(self, name: str) -> Organization:
        return self.orgs_by_name[name]

    def org_by_id(self, org_id: uuid.UUID) -> Organization:
        return next(o for o in self.orgs_by_name.values() if o.id == org_id)

    def user(self, username: str) -> User:
        return self.users_by_name[username]

    def buyers(self) -> list[Organization]:
        """Organizations with a buyer user: departments, mass organizations, the foundation, committees."""
        ids = {u.organization_id for u in self.users[Role.buyer]}
        return [o for o in self.orgs_by_name.values() if o.id in ids]

    def buyer_orgs(self) -> list[Organization]:
        """Every organization that may buy (government, mass organization, foundation, community)."""
        return [o for kind in (Kind.government, Kind.mass_org, Kind.foundation, Kind.community)
                for o in self.organizations[kind]]

    def social_orgs(self) -> list[Organization]:
        return list(self.organizations[Kind.social_org])

    def users_of(self, role: Role | str) -> list[User]:
        return list(self.users[Role(role)])

    def user_for(self, org: Organization) -> User | None:
        """The first demo user acting for ``org``."""
        return next((u for users in self.users.values() for u in users if u.organization_id == org.id), None)

    def admin(self) -> User:
        return self.users[Role.admin][0]

    def managers(self) -> list[User]:
        return self.users_of(Role.manager)

    def experts(self) -> list[User]:
        return self.users_of(Role.expert)

    def evaluator(self) -> User:
        return self.users[Role.evaluator][0]

    def residents(self) -> list[User]:
        return self.users_of(Role.resident)

    def community_users(self) -> list[User]:
        return self.users_of(Role.community)
