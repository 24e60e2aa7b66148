"""`portcontrol demo` sets up what the README promises, and running it again changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from portcontrol.manifests.models import Container
from portcontrol.risk.models import Assessment, Outcome, Rule, Watchlist

pytestmark = pytest.mark.django_db


def test_demo_builds_units_manifests_rules_watchlists_and_targets(tmp_path):
    out = io.StringIO()
    call_command("demo", "--containers", "3000", "--out", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "baku.officer" in text and "programme.admin" in text
    assert Container.objects.count() == 3000
    assert Outcome.objects.filter(seizure=True).exists()
    assert not Outcome.objects.filter(inspected_on__isnull=True).exists()  # each has its day
    assert Rule.objects.filter(status="active").count() >= 2
    assert Watchlist.objects.exists()
    assert Assessment.objects.filter(channel="red").exists()
    # The past was scored and worked as a unit works it: the selected containers were
    # inspected, random picks among them with their selection probability.
    assert "days scored and selected" in text
    past = Assessment.objects.filter(arrival_date__lt=timezone.localdate())
    assert past.filter(selection_reason="random", container__outcome__inspected=True).exists()
    assert not past.filter(channel__in=["red", "yellow"], container__outcome__isnull=True) \
        .exists()
    # Day after day, each with the days before as history: every unit's past selection
    # was made mostly on risk, not of random picks alone (scored all at once, the first
    # day's empty history gave nearly every container a risk of 0).
    for unit in past.values_list("unit", flat=True).distinct():
        picks = past.filter(unit=unit, channel__in=["red", "yellow"])
        assert picks.filter(selection_reason="risk").count() > \
            picks.filter(selection_reason="random").count()
    call_command("demo", "--containers", "3000", "--out", str(tmp_path), stdout=io.StringIO())
    assert Container.objects.count() == 3000


@pytest.mark.parametrize(("daily", "red", "yellow"), [
    (0, 3, 8), (73, 3, 8), (307, 6, 18), (2000, 40, 120),
])
def test_demo_places_follow_the_units_traffic(daily, red, yellow):
    from portcontrol.risk.demo import demo_capacity

    assert demo_capacity(daily) == {"red_capacity": red, "yellow_capacity": yellow}
