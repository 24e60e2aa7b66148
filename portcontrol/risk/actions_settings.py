"""A unit's selection settings: daily inspection capacity and the share drawn at random.

The unit's supervisors set them (Targets → Selection settings); everyone in the unit sees
them. Every change is audited with the values before and after; the next scoring run uses
them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from portcontrol.accounts.models import Role, Unit, User
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.engine.selection import random_places

from .models import UnitRiskSettings

MAX_RED, MAX_YELLOW = 5_000, 20_000  # places a day: far above any unit's, below nonsense
MAX_EXPLORATION = 0.5
# Below this share a unit draws too few random picks for its hit-rate estimates and the
# model's calibration to rest on (docs/risk-engine.md).
ADVISED_EXPLORATION = 0.05
FIELDS = ("red_capacity", "yellow_capacity", "exploration_share")


@dataclass(frozen=True)
class RandomPicks:
    red: int
    yellow: int

    @property
    def total(self) -> int:
        return self.red + self.yellow


def random_picks(settings: UnitRiskSettings) -> RandomPicks:
    """Places a day drawn at random out of the capacity, as the selection draws them."""
    e = settings.exploration_share
    return RandomPicks(random_places(settings.red_capacity, e),
                       random_places(settings.yellow_capacity, e))


def settings_for(unit: Unit) -> UnitRiskSettings:
    """The unit's settings, or the defaults scoring would use (not stored until changed)."""
    return UnitRiskSettings.objects.filter(unit=unit).first() or UnitRiskSettings(unit=unit)


def can_change_settings(user: User, unit: Unit | None) -> bool:
    return (unit is not None and user.has_role(Role.SUPERVISOR)
            and unit.pk in visible_unit_ids(user))


def do_update_selection_settings(*, acting_user: User, unit: Unit, red_capacity: int,
                                 yellow_capacity: int, exploration_share: float
                                 ) -> UnitRiskSettings:
    if not can_change_settings(acting_user, unit):
        raise PermissionDenied(_("Only a supervisor of the unit can change its selection "
                                 "settings."))
    _check(red_capacity, yellow_capacity, exploration_share)
    with transaction.atomic():
        settings, _created = UnitRiskSettings.objects.select_for_update().get_or_create(unit=unit)
        before = {f: getattr(settings, f) for f in FIELDS}
        settings.red_capacity, settings.yellow_capacity = red_capacity, yellow_capacity
        settings.exploration_share = exploration_share
        settings.save(update_fields=list(FIELDS))
        audit(actor=acting_user, action="risk.settings", object_type="unit_risk_settings",
              object_id=unit.pk, unit_id=unit.pk, before=before,
              after={f: getattr(settings, f) for f in FIELDS})
    return settings


def _check(red: int, yellow: int, share: float) -> None:
    if not 0 <= red <= MAX_RED:
        raise InvalidValue(_("Red places a day must be from 0 to %(max)d.") % {"max": MAX_RED},
                           field="red_capacity")
    if not 0 <= yellow <= MAX_YELLOW:
        raise InvalidValue(_("Yellow places a day must be from 0 to %(max)d.")
                           % {"max": MAX_YELLOW}, field="yellow_capacity")
    if not 0 <= share <= MAX_EXPLORATION:  # also refuses NaN
        raise InvalidValue(_("The share drawn at random must be from 0 to %(max)s.")
                           % {"max": MAX_EXPLORATION}, field="exploration_share")
