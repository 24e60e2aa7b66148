"""Trade lanes: carriers, hubs, the ports each origin country ships from, and per-unit profiles.

The three demo units have hand-made profiles (origin mix, feeder services, inland and transit
destinations). Any other LOCODE gets a generic profile whose feeder hubs are the nearest hubs
by great-circle distance, so the generator still produces a plausible picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from portcontrol.reference.vendored import ports

# code -> (B/L prefix, dry owner codes, reefer owner codes, vessel name prefix). Owner codes
# are real carrier and lessor BIC prefixes; vessel names and numbers are invented.
CARRIERS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], str]] = {
    "MSCU": ("MEDU", ("MSCU", "MEDU", "MSDU", "MSMU", "TGHU", "FCIU"), ("MSCU", "MEDU", "CAIU"),
             "MSC"),
    "MAEU": ("MAEU", ("MSKU", "MRKU", "MRSU", "MAEU", "TCLU"), ("MNBU", "MWCU"), "MAERSK"),
    "CMAU": ("CMDU", ("CMAU", "CGMU", "ECMU", "APZU", "SEGU"), ("CGMU", "TRIU"), "CMA CGM"),
    "HLCU": ("HLCU", ("HLXU", "HLBU", "HAMU", "UACU"), ("HLXU", "TTNU"), "HAPAG"),
    "COSU": ("COSU", ("CSNU", "CBHU", "CCLU", "OOLU", "TCNU"), ("CXRU", "OOLU"), "COSCO"),
    "EGLV": ("EGLV", ("EGHU", "EISU", "EMCU", "TEMU"), ("EMCU", "EGHU"), "EVER"),
    "ONEY": ("ONEY", ("ONEU", "NYKU", "KKFU", "MOLU", "TCLU"), ("ONEU", "TRIU"), "ONE"),
    "ZIMU": ("ZIMU", ("ZIMU", "ZCSU", "JXLU", "TGHU"), ("ZIMU", "CAIU"), "ZIM"),
}
CARRIER_CODES = tuple(CARRIERS)

OCEAN_FLAGS = {"PA": 0.22, "LR": 0.2, "MH": 0.14, "MT": 0.1, "SG": 0.08, "HK": 0.08,
               "PT": 0.06, "DK": 0.04, "DE": 0.03, "CY": 0.03, "GB": 0.02}
CASPIAN_FLAGS = {"AZ": 0.55, "KZ": 0.3, "TM": 0.15}

# Regional transhipment hubs, used as the first of two transhipments for far origins.
REGION_OF = {
    **dict.fromkeys(("CN", "HK", "TW", "KR", "JP"), "east_asia"),
    **dict.fromkeys(("VN", "TH", "MY", "ID", "SG"), "south_east_asia"),
    **dict.fromkeys(("IN", "BD", "LK"), "south_asia"),
    **dict.fromkeys(("AE", "OM", "SA"), "gulf"),
    **dict.fromkeys(("DE", "NL", "BE", "FR", "GB", "PL"), "north_europe"),
    **dict.fromkeys(("IT", "ES", "GR", "TR", "EG", "RO", "BG", "UA", "RU"), "mediterranean"),
    **dict.fromkeys(("US",), "north_america"),
    **dict.fromkeys(("BR", "AR", "UY"), "east_coast_south_america"),
    **dict.fromkeys(("EC", "PE", "CL"), "west_coast_south_america"),
    **dict.fromkeys(("CO", "CR"), "caribbean"),
    **dict.fromkeys(("NG", "CD"), "west_africa"),
    **dict.fromkeys(("KE", "TZ", "MZ", "ZA"), "east_africa"),
    **dict.fromkeys(("KZ", "UZ", "TM"), "central_asia"),
}
REGIONAL_HUBS: dict[str, tuple[str, ...]] = {
    "east_asia": ("CNSHA", "KRPUS", "HKHKG"),
    "south_east_asia": ("SGSIN", "MYTPP", "MYPKG"),
    "south_asia": ("LKCMB",),
    "gulf": ("AEJEA", "OMSLL"),
    "north_europe": ("NLRTM", "BEANR", "DEHAM"),
    "mediterranean": ("GRPIR", "ITGIT"),
    "north_america": ("ESALG", "MAPTM"),
    "east_coast_south_america": ("BRSSZ",),
    "west_coast_south_america": ("PABLB", "PAMIT", "COCTG"),
    "caribbean": ("PAMIT", "JMKIN", "COCTG"),
    "west_africa": ("MAPTM", "ESALG"),
    "east_africa": ("OMSLL", "AEJEA"),
    "central_asia": (),
}
# Regions whose cargo sensibly makes its last transhipment at a hub (absent: every region).
# Origins outside the reach of a call's hub are rarely loaded for that call.
HUB_REACH: dict[str, frozenset[str]] = {
    "SGSIN": frozenset({"east_asia", "south_east_asia"}),
    "MYTPP": frozenset({"east_asia", "south_east_asia"}),
    "LKCMB": frozenset({"east_asia", "south_east_asia", "south_asia", "east_africa"}),
    "EGPSD": frozenset({"north_europe", "mediterranean", "north_america",
                        "east_coast_south_america", "west_coast_south_america", "caribbean",
                        "west_africa", "east_asia", "south_east_asia", "south_asia"}),
}
OUT_OF_REACH = 0.02  # relative weight of an origin whose cargo would not come via the hub

# Hubs a generic profile may feed from (nearest three by distance).
GLOBAL_HUBS = ("SGSIN", "AEJEA", "LKCMB", "OMSLL", "EGPSD", "GRPIR", "TRAMB", "ESALG", "MAPTM",
               "ITGIT", "NLRTM", "PAMIT", "JMKIN", "BRSSZ", "HKHKG", "KRPUS", "MYTPP", "USSAV")

# Ports of loading per origin country (weights).
ORIGIN_PORTS: dict[str, dict[str, float]] = {
    "CN": {"CNSHA": .28, "CNNGB": .22, "CNSZX": .08, "CNYTN": .1, "CNTAO": .12, "CNXMG": .06,
           "CNTXG": .07, "CNDAL": .03, "CNLYG": .02, "CNGGZ": .02},
    "HK": {"HKHKG": 1.0}, "TW": {"TWKHH": 1.0}, "KR": {"KRPUS": 1.0},
    "JP": {"JPYOK": .5, "JPTYO": .5}, "VN": {"VNSGN": .4, "VNTOT": .3, "VNHPH": .3},
    "TH": {"THLCH": 1.0}, "MY": {"MYPKG": .65, "MYTPP": .35}, "ID": {"IDTPP": 1.0},
    "SG": {"SGSIN": 1.0}, "IN": {"INNSA": .55, "INMUN": .3, "INMAA": .15},
    "BD": {"BDCGP": 1.0}, "LK": {"LKCMB": 1.0}, "AE": {"AEJEA": 1.0}, "OM": {"OMSLL": 1.0},
    "SA": {"SAJED": 1.0}, "EG": {"EGPSD": 1.0},
    "TR": {"TRAMB": .35, "TRMER": .3, "TRGEB": .15, "TRIZT": .1, "TRIST": .1},
    "DE": {"DEHAM": .7, "DEBRV": .3}, "NL": {"NLRTM": 1.0}, "BE": {"BEANR": 1.0},
    "FR": {"FRLEH": .6, "FRMRS": .4}, "ES": {"ESVLC": .6, "ESBCN": .3, "ESALG": .1},
    "IT": {"ITGOA": .7, "ITGIT": .3}, "GR": {"GRPIR": 1.0}, "PL": {"PLGDN": 1.0},
    "GB": {"GBFXT": 1.0}, "RO": {"ROCND": 1.0}, "BG": {"BGVAR": 1.0}, "UA": {"UAODS": 1.0},
    "RU": {"RUNVS": 1.0}, "US": {"USNYC": .35, "USSAV": .35, "USLAX": .3},
    "BR": {"BRSSZ": .6, "BRPNG": .25, "BRRIG": .15}, "AR": {"ARBUE": 1.0},
    "UY": {"UYMVD": 1.0}, "CL": {"CLSAI": 1.0}, "EC": {"ECGYE": .75, "ECPBO": .25},
    "CO": {"COCTG": .4, "COSMR": .25, "COTRB": .15, "COBUN": .2}, "CR": {"CRLIO": 1.0},
    "PE": {"PECLL": .7, "PEPAI": .3}, "NG": {"NGAPP": .6, "NGTIN": .4}, "KE": {"KEMBA": 1.0},
    "TZ": {"TZDAR": 1.0}, "MZ": {"MZMPM": 1.0}, "CD": {"CDMAT": 1.0}, "ZA": {"ZADUR": 1.0},
    "KZ": {"KZAAU": 1.0}, "UZ": {"TMKRW": 1.0}, "TM": {"TMKRW": 1.0},
}

# Where rail cargo for the Caspian crossing is received (place of receipt) per origin.
CASPIAN_RECEIPT: dict[str, dict[str, float]] = {
    "CN": {"CNLYG": .35, "KZHOR": .35, "KZDOS": .15, "CNTAO": .15},
    "KZ": {"KZALA": .35, "KZAST": .2, "KZSHY": .2, "KZKGF": .1, "KZAAU": .15},
    "UZ": {"UZTAS": .6, "UZSKD": .2, "UZNWY": .2},
    "TM": {"TMAGT": .5, "TMKRW": .3, "TMTK5": .2},
    "KR": {"KRPUS": 1.0}, "JP": {"JPYOK": 1.0},
}
# Sea-rail origins reach the Caspian through a Chinese port, recorded as transhipment.
CASPIAN_SEA_RAIL = {"KR": "CNLYG", "JP": "CNLYG"}


@dataclass(frozen=True)
class Service:
    """A call pattern: the hub the vessel comes from and the countries loaded on its rotation."""

    hub: str
    weight: float
    direct: frozenset[str]
    direction: str = "E"


@dataclass(frozen=True)
class PortProfile:
    locode: str
    carriers: dict[str, float]
    services: tuple[Service, ...]
    origins: dict[str, float]
    final_destinations: dict[str, float]
    voyage_median: int  # containers discharged per call
    voyage_sigma: float = 0.45
    caspian: bool = False
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def country(self) -> str:
        return self.locode[:2]


def _s(hub: str, weight: float, direct: str, direction: str = "E") -> Service:
    return Service(hub, weight, frozenset(direct.split()), direction)


PROFILES: dict[str, PortProfile] = {
    "GEPTI": PortProfile(
        "GEPTI",
        carriers={"MSCU": .3, "MAEU": .18, "CMAU": .17, "HLCU": .1, "COSU": .08, "ZIMU": .07,
                  "EGLV": .05, "ONEY": .05},
        services=(_s("TRAMB", .34, "TR"), _s("GRPIR", .16, "GR IT"), _s("EGPSD", .15, "EG"),
                  _s("ROCND", .1, "RO BG UA"), _s("ITGIT", .08, "IT ES"),
                  _s("TRMER", .17, "TR EG")),
        origins={"CN": .3, "TR": .16, "DE": .05, "IT": .04, "ES": .03, "NL": .02, "BE": .02,
                 "FR": .02, "PL": .02, "GR": .02, "RO": .015, "BG": .01, "UA": .01, "IN": .05,
                 "VN": .03, "BR": .04, "EC": .04, "CO": .01, "CR": .01, "PE": .005, "US": .035,
                 "KR": .03, "JP": .015, "TH": .015, "MY": .01, "ID": .01, "AE": .02, "EG": .02,
                 "AR": .008, "CL": .005, "BD": .01, "TW": .01, "HK": .005, "NG": .002,
                 "KE": .003, "TZ": .002, "MZ": .002, "CD": .001, "ZA": .005, "UY": .005,
                 "GB": .01, "RU": .008},
        final_destinations={"GEPTI": .22, "GETBS": .36, "GEZAK": .04, "GEKUT": .04, "GEBUS": .03,
                            "AZBAK": .13, "AZALT": .02, "UZTAS": .06, "KZALA": .04, "KGFRU": .03,
                            "TJDYU": .015, "TMAGT": .015},
        voyage_median=420,
    ),
    "PKKHI": PortProfile(
        "PKKHI",
        carriers={"MSCU": .24, "MAEU": .19, "CMAU": .16, "COSU": .16, "EGLV": .09, "ONEY": .09,
                  "HLCU": .07},
        services=(_s("SGSIN", .3, "CN KR HK TW SG MY", "W"), _s("AEJEA", .24, "AE", "E"),
                  _s("LKCMB", .14, "LK IN BD", "N"), _s("OMSLL", .08, "OM SA", "E"),
                  _s("EGPSD", .12, "DE NL BE FR GB ES IT PL", "E"),
                  _s("MYTPP", .12, "MY TH VN ID", "W")),
        origins={"CN": .42, "AE": .06, "US": .05, "ID": .04, "MY": .03, "TH": .03, "JP": .03,
                 "DE": .03, "SG": .02, "KR": .03, "VN": .02, "BR": .02, "BE": .02, "GB": .025,
                 "IT": .02, "TR": .02, "KE": .02, "NL": .01, "IN": .01, "TW": .02, "HK": .01,
                 "BD": .005, "SA": .015, "TZ": .01, "MZ": .005, "ES": .01, "FR": .01,
                 "LK": .005, "NG": .005, "CD": .002, "ZA": .005, "AR": .003, "EC": .003},
        final_destinations={"PKKHI": .5, "PKBQM": .04, "PKLHE": .17, "PKLYP": .06, "PKISB": .06,
                            "PKSKT": .04, "PKMUX": .03, "PKPEW": .04, "PKUET": .02,
                            "UZTAS": .03, "TJDYU": .01},
        voyage_median=1100,
    ),
    "AZBAK": PortProfile(
        "AZBAK",
        carriers={"MSCU": .3, "MAEU": .25, "CMAU": .25, "COSU": .2},
        services=(_s("KZAAU", .62, "KZ CN KR JP", "W"), _s("TMKRW", .38, "TM UZ CN", "W")),
        origins={"CN": .55, "KZ": .15, "UZ": .1, "TM": .06, "KR": .08, "JP": .06},
        final_destinations={"AZBAK": .84, "AZALT": .04, "GETBS": .06, "GEPTI": .03,
                            "TRIST": .03},
        voyage_median=70,
        voyage_sigma=0.35,
        caspian=True,
    ),
}

GENERIC_ORIGINS = {"CN": .35, "TR": .05, "DE": .05, "IN": .06, "US": .06, "VN": .04, "KR": .04,
                   "JP": .03, "BR": .04, "IT": .03, "TH": .03, "MY": .03, "ID": .03, "AE": .03,
                   "NL": .02, "ES": .02, "FR": .02, "GB": .02, "BE": .02, "EC": .02, "BD": .02,
                   "TW": .02, "PL": .01, "EG": .01, "ZA": .01}


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 12742 * math.asin(math.sqrt(h))


# Sailing from the last transshipment hub to the port of call: great-circle distance stretched
# to a sea route, at a feeder's 16 knots, plus days lost at the other calls of the rotation.
SEA_ROUTE_FACTOR = 1.4
KM_PER_DAY = 16 * 1.852 * 24
ROTATION_DAYS = 3.0
UNKNOWN_SAILING_DAYS = 8  # a port without coordinates


@lru_cache(maxsize=4096)
def sailing_days(hub: str, port: str) -> int:
    """Typical whole days from leaving `hub` to arriving at `port` (before per-voyage jitter)."""
    table = ports()
    a, b = table.get(hub), table.get(port)
    if a is None or b is None or None in (a.lat, a.lon, b.lat, b.lon):
        return UNKNOWN_SAILING_DAYS
    km = _distance_km((a.lat, a.lon), (b.lat, b.lon))
    return int(ROTATION_DAYS + km * SEA_ROUTE_FACTOR / KM_PER_DAY + 0.5)


@lru_cache(maxsize=64)
def profile_for(locode: str) -> PortProfile:
    """The hand-made profile of a demo unit, or a generic one for any other port."""
    if locode in PROFILES:
        return PROFILES[locode]
    table = ports()
    here = table[locode]
    hubs = [h for h in GLOBAL_HUBS if h != locode and h[:2] != locode[:2]]
    if here.lat is not None and here.lon is not None:
        hubs.sort(key=lambda h: _distance_km((here.lat, here.lon),
                                             (table[h].lat or 0.0, table[h].lon or 0.0)))
    services = tuple(Service(h, w, frozenset({h[:2]}), "E")
                     for h, w in zip(hubs[:3], (.5, .3, .2), strict=True))
    origins = {c: w for c, w in GENERIC_ORIGINS.items() if c != locode[:2]}
    return PortProfile(locode, carriers={c: 1.0 for c in CARRIER_CODES}, services=services,
                       origins=origins, final_destinations={locode: 1.0}, voyage_median=600)


def all_lane_locodes() -> set[str]:
    """Every LOCODE the lane tables can emit (the tests check them against ports.csv.gz)."""
    codes: set[str] = set(GLOBAL_HUBS) | set(CASPIAN_SEA_RAIL.values())
    for hubs in REGIONAL_HUBS.values():
        codes.update(hubs)
    for table in (*ORIGIN_PORTS.values(), *CASPIAN_RECEIPT.values()):
        codes.update(table)
    for prof in PROFILES.values():
        codes.add(prof.locode)
        codes.update(s.hub for s in prof.services)
        codes.update(prof.final_destinations)
    return codes
