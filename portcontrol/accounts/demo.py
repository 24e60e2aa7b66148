"""The demo organisation: three PCUs, a national headquarters and the programme office."""

from __future__ import annotations

from .actions import do_create_agency, do_create_unit, do_create_user
from .models import Role, Unit, User

DEMO_PASSWORD = "portcontrol-demo"  # noqa: S105 - demo data only, printed by `make demo`

UNITS = [
    # country, agency, agency kind, unit code, unit name, unit kind, ports
    ("AZ", "State Customs Committee", "customs", "pcu-baku", "PCU Baku", "seaport_pcu",
     "AZBAK,AZALT"),
    ("AZ", "State Customs Committee", "customs", "az-hq", "Customs HQ Azerbaijan",
     "headquarters", ""),
    ("GE", "Revenue Service", "customs", "pcu-poti", "PCU Poti", "seaport_pcu", "GEPTI,GEBUS"),
    ("PK", "Pakistan Customs", "customs", "pcu-karachi", "PCU Karachi", "seaport_pcu",
     "PKKHI,PKBQM"),
    ("AT", "Container Control Programme", "other", "ccp-office", "Programme Office",
     "programme_office", ""),
]

USERS = [
    ("baku.officer", "pcu-baku", [Role.OFFICER]),
    ("baku.analyst", "pcu-baku", [Role.ANALYST]),
    ("baku.supervisor", "pcu-baku", [Role.SUPERVISOR]),
    ("poti.officer", "pcu-poti", [Role.OFFICER]),
    ("karachi.officer", "pcu-karachi", [Role.OFFICER]),
    ("karachi.analyst", "pcu-karachi", [Role.ANALYST]),
    ("karachi.supervisor", "pcu-karachi", [Role.SUPERVISOR]),
    ("az.coordinator", "az-hq", [Role.NATIONAL_COORDINATOR]),
    ("programme.admin", "ccp-office", [Role.PROGRAMME_ADMIN]),
]


def ensure_demo_organisation(password: str = DEMO_PASSWORD) -> list[User]:
    """Create the demo units and users if missing; return the demo users."""
    units: dict[str, Unit] = {}
    for country, agency_name, agency_kind, code, name, kind, ports in UNITS:
        agency = do_create_agency(country=country, name=agency_name, kind=agency_kind,
                                  acting_user=None)
        units[code] = do_create_unit(agency=agency, code=code, name=name, kind=kind,
                                     ports=ports, acting_user=None)
    users = []
    for username, unit_code, roles in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = do_create_user(username=username, password=password, unit=units[unit_code],
                                  roles=roles, acting_user=None,
                                  is_staff=Role.PROGRAMME_ADMIN in roles)
        users.append(user)
    return users
