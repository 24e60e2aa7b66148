"""Rules from draft to retirement, with four-eyes approval; scoring on demand. Audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portcontrol.accounts.models import Unit, User
from portcontrol.accounts.scoping import visible_unit_ids
from portcontrol.audit.admin_mixin import snapshot
from portcontrol.audit.log import record as audit
from portcontrol.core.errors import InvalidValue, PermissionDenied
from portcontrol.engine.backtest import backtest_many
from portcontrol.engine.features import build
from portcontrol.engine.rules import Rule as EngineRule
from portcontrol.engine.rules import RuleError, validate

from .history import history_for, lines_kept
from .models import Rule
from .pipeline import UNIT_COLUMN, engine_rule
from .queries import can_approve_rules, can_write_rules

EDITABLE = (Rule.Status.DRAFT, Rule.Status.REJECTED)


def check_expression(expression: str) -> None:
    """Refuse an expression that does not parse or names an unknown field, with position."""
    try:
        validate(expression)
    except RuleError as exc:  # in the reader's language, position included
        raise InvalidValue(exc.text(get_language()), field="expression", code=exc.code) \
            from None


def _require(user: User, unit: Unit, *, approve: bool = False) -> None:
    allowed = can_approve_rules(user) if approve else can_write_rules(user)
    if not allowed or unit.pk not in visible_unit_ids(user):
        raise PermissionDenied(_("Your role does not allow this on the rules of this unit."))


def do_save_rule(*, acting_user: User, unit: Unit, data: dict[str, Any],
                 rule: Rule | None = None) -> Rule:
    """Create a draft or change a draft (or a rejected rule, which becomes a draft again)."""
    _require(acting_user, unit)
    _engine_rule_of(data, unit)
    with transaction.atomic():
        if rule is None:
            if Rule.objects.filter(unit=unit, code=data["code"]).exists():
                raise InvalidValue(_("Rule %(code)s already exists in this unit.")
                                   % {"code": data["code"]},
                                   field="code")
            rule = Rule(unit=unit, created_by=acting_user)
            before = None
        else:
            if rule.status not in EDITABLE:
                raise PermissionDenied(_("Only a draft or a rejected rule can be changed."))
            before = snapshot(rule)
        for name, value in data.items():
            setattr(rule, name, value)
        rule.status, rule.last_backtest = Rule.Status.DRAFT, None
        rule.save()
        audit(actor=acting_user, action="rule.save", object_type="rule", object_id=rule.pk,
              unit_id=unit.pk, before=before, after=snapshot(rule))
    return rule


def _engine_rule_of(data: dict[str, Any], unit: Unit) -> EngineRule:
    """The engine's rule for a rule as written on the form; refused with the field and
    position of what is wrong."""
    check_expression(data["expression"])
    try:
        return EngineRule(id=data["code"], expression=data["expression"],
                          weight=data["weight"], valid_from=data.get("valid_from"),
                          valid_to=data.get("valid_to"), unit=unit.code)
    except RuleError as exc:
        raise InvalidValue(exc.text(get_language()),
                           field=exc.code if exc.code != "id" else "code") from None


def try_rule(*, acting_user: User, unit: Unit, data: dict[str, Any], days: int = 90,
             until: date | None = None) -> dict[str, Any]:
    """Backtest a rule as written on the form, without saving it: an analyst tries an
    expression on the unit's history before keeping it. Nothing changes, nothing is
    audited; the figures are those of do_backtest_rule."""
    _require(acting_user, unit)
    return _backtest(unit, _engine_rule_of(data, unit), days, until)


def _backtest(unit: Unit, rule: EngineRule, days: int, until: date | None) -> dict[str, Any]:
    if not 1 <= days <= 730:
        raise InvalidValue(_("Backtest over 1 to 730 days."), field="days")
    until = until or timezone.localdate()
    frame = history_with_outcomes(unit, days, until)
    if frame.height == 0:
        return {"rule_id": rule.id, "containers": 0, "hits": 0, "inspections": 0,
                "seizures": 0, "hit_rate": None, "days": days}
    figures = backtest_many([rule], frame, days=days, until=until, unit_column=UNIT_COLUMN)[0]
    return {**figures.to_dict(), "days": days}


def history_with_outcomes(unit: Unit, days: int, until: date) -> pl.DataFrame:
    frame = lines_kept(unit, until - timedelta(days=days), until)
    if frame.height == 0:
        return frame
    history = history_for(unit, until - timedelta(days=days))
    featured = build(frame, history)
    return featured.with_columns(frame.select("inspected", "seizure", "unit_code"))


def do_backtest_rule(*, acting_user: User, rule: Rule, days: int = 90,
                     until: date | None = None) -> dict[str, Any]:
    _require(acting_user, rule.unit)
    result = _backtest(rule.unit, engine_rule(rule), days, until)
    with transaction.atomic():
        Rule.objects.filter(pk=rule.pk).update(last_backtest=result)
        audit(actor=acting_user, action="rule.backtest", object_type="rule", object_id=rule.pk,
              unit_id=rule.unit_id, after=result)
    rule.last_backtest = result
    return result


def _transition(rule: Rule, user: User, action: str, to: str, **fields: Any) -> None:
    with transaction.atomic():
        before = {"status": rule.status}
        rule.status = to
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.save()
        audit(actor=user, action=action, object_type="rule", object_id=rule.pk,
              unit_id=rule.unit_id, before=before, after={"status": to, **{
                  k: str(v) for k, v in fields.items() if k != "decided_by"}})


def do_submit_rule(*, acting_user: User, rule: Rule) -> None:
    _require(acting_user, rule.unit)
    if rule.status != Rule.Status.DRAFT:
        raise PermissionDenied(_("Only a draft can be submitted for approval."))
    if not rule.last_backtest:
        raise InvalidValue(_("Run a backtest before submitting the rule."), field="backtest")
    _transition(rule, acting_user, "rule.submit", Rule.Status.PENDING,
                submitted_at=timezone.now())


def do_decide_rule(*, acting_user: User, rule: Rule, approve: bool, note: str = "") -> None:
    """Four eyes: a supervisor other than the rule's author activates or rejects it."""
    _require(acting_user, rule.unit, approve=True)
    if rule.status != Rule.Status.PENDING:
        raise PermissionDenied(_("Only a rule waiting for approval can be decided."))
    if rule.created_by_id == acting_user.pk:
        raise PermissionDenied(_("Four eyes: the author of a rule cannot approve it."))
    if not approve and not note.strip():
        raise InvalidValue(_("Say why the rule is rejected."), field="note")
    _transition(rule, acting_user, "rule.approve" if approve else "rule.reject",
                Rule.Status.ACTIVE if approve else Rule.Status.REJECTED,
                decided_by=acting_user, decided_at=timezone.now(), decision_note=note[:500])


def do_retire_rule(*, acting_user: User, rule: Rule, note: str = "") -> None:
    _require(acting_user, rule.unit, approve=True)
    if rule.status != Rule.Status.ACTIVE:
        raise PermissionDenied(_("Only an active rule can be retired."))
    _transition(rule, acting_user, "rule.retire", Rule.Status.RETIRED,
                decision_note=note[:500])
