"""EDIFACT message profiles: YAML files that say where each field sits in a message.

Profiles live in profiles/ and are chosen by name (`generic` by default) or given as a path.
A profile may start with `extends: <name>` and list only what differs; nested objects are
merged key by key, lists and values replace. Adding a carrier's variant needs no code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .findings import IntakeError

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "generic"
_SECTIONS = ("voyage", "consignment", "goods", "measurements", "containers")


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IntakeError(f"Cannot read profile {path}: {exc.strerror}.",
                          message_ru=f"Не удаётся прочитать профиль {path}: {exc.strerror}."
                          ) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise IntakeError(f"Profile {path.name} is not valid YAML: {exc}",
                          message_ru=f"Профиль {path.name} — недопустимый YAML: {exc}") from None
    if not isinstance(data, dict):
        raise IntakeError(f"Profile {path.name} must be a YAML object.",
                          message_ru=f"Профиль {path.name} должен быть объектом YAML.")
    return data


def _path_of(spec: str | Path) -> Path:
    text = str(spec)
    if "/" not in text and not text.endswith((".yaml", ".yml")):
        path = PROFILES_DIR / f"{text}.yaml"
        if not path.exists():
            raise IntakeError(f"No message profile named {text!r}; available: "
                              f"{', '.join(available_profiles())}.",
                              message_ru=f"Нет профиля сообщений {text!r}; есть: "
                              f"{', '.join(available_profiles())}.")
        return path
    return Path(spec)


def resolve(data: dict[str, Any], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    parent = data.get("extends")
    if parent is None:
        return data
    if str(parent) in seen:
        raise IntakeError(f"Profiles extend each other in a circle: {' -> '.join(seen)}.",
                          message_ru="Профили расширяют друг друга по кругу: "
                          f"{' -> '.join(seen)}.")
    base = resolve(_read(_path_of(str(parent))), (*seen, str(parent)))
    return merge(base, {k: v for k, v in data.items() if k != "extends"})


def load_profile(spec: str | Path | dict[str, Any] | None = None) -> dict[str, Any]:
    """The resolved profile as a dict (a name in profiles/, a path, or a dict)."""
    data = spec if isinstance(spec, dict) else _read(_path_of(spec or DEFAULT_PROFILE))
    data = resolve(data)
    missing = [s for s in _SECTIONS if not isinstance(data.get(s), dict)]
    if missing:
        raise IntakeError(f"Profile {data.get('name', '?')!r} lacks the sections "
                          f"{', '.join(missing)} (start it with 'extends: generic').",
                          message_ru=f"В профиле {data.get('name', '?')!r} нет разделов "
                          f"{', '.join(missing)} (начните его с 'extends: generic').")
    return data


def parse_path(text: Any, where: str) -> tuple[int, int | None]:
    """"7.3" -> (7, 3); "3" -> (3, None), meaning the whole element."""
    element, _, component = str(text).partition(".")
    try:
        return int(element), (int(component) if component else None)
    except ValueError:
        raise IntakeError(f"Profile path {text!r} at {where} must look like 7.3 or 3.",
                          message_ru=f"Путь {text!r} в {where} профиля пишется как 7.3 или 3.") \
            from None
