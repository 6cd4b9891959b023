"""Configuration files: ``[tool.policylint]`` in ``pyproject.toml``, or a ``.policylint.toml``.

The file is looked for from the scanned path upwards; the nearest directory with one wins, and
only that one file is read (settings are not merged across files).  In one directory
``.policylint.toml`` comes before ``pyproject.toml``; a ``[tool.policylint]`` table beside it is
then not read, and the CLI says so (``Config.shadowed``).  A ``pyproject.toml`` without a
``[tool.policylint]`` table is passed over.  Keys (all optional)::

    select = ["PL1", "hardcoded-aws-credentials"]   # codes, names, code prefixes, "ALL"
    ignore = ["PL118"]
    severity = { PL107 = "medium" }                 # per-rule overrides
    exclude = ["legacy/*"]                          # as --exclude
    fail-on = "medium"                              # as --fail-on
    parameters = { Environment = "prod" }           # as --parameter (CloudFormation)
    var-files = ["env/prod.tfvars"]                 # as --var-file, relative to the config file
    per-path-ignores = { "plans/*.json" = ["PL201"] }  # globs relative to the config file
    # an entry may expire: "PL201 until=2027-01-31" (after that day the findings return)

Precedence: built-in defaults < this file < command-line flags (a flag replaces the key).
The file is validated against ``config-schema.json`` (jsonschema is imported only when a file is
found) and every rule name is resolved; a bad key or value is a :class:`ConfigError` naming the
file and the key, which the CLI turns into exit code 2.
"""

from __future__ import annotations

import os
import re
import sys

from policylint.catalogue import UsageError
from policylint.patterns import lazy
from policylint.records import record, field

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    import datetime
    from typing import Any, Sequence

CONFIG_NAMES = (".policylint.toml", "pyproject.toml")
SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config-schema.json")


class ConfigError(UsageError):
    def __init__(self, file: str, key: str | None, message: str):
        where = f"{file}: " + (f"`{key}`: " if key else "")
        super().__init__(where + message)
        self.file = file
        self.key = key


@record
class Config:
    path: str | None = None  # the file it was read from
    root: str = "."  # that file's directory: per-path-ignores are relative to it
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)  # rule code -> severity
    exclude: list[str] = field(default_factory=list)
    fail_on: str | None = None
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> rule codes
    per_path_until: dict[str, dict[str, datetime.date]] = field(default_factory=dict)  # glob -> code -> expiry
    parameters: dict[str, str] = field(default_factory=dict)  # CloudFormation parameter -> value
    var_files: list[str] = field(default_factory=list)  # Terraform -var-file paths, relative to root
    keys: tuple[str, ...] = ()  # the keys the file sets
    shadowed: tuple[str, ...] = ()  # other config files of the same directory that are not read
    text: str = ""

    def line_of(self, needle: str) -> int:
        """The line of the file where ``needle`` first appears quoted (for findings about it)."""
        for quote in ('"', "'"):
            index = self.text.find(f"{quote}{needle}{quote}")
            if index >= 0:
                return self.text.count("\n", 0, index) + 1
        return 1


def find_config(paths: Sequence[str]) -> str | None:
    """The configuration file that applies to ``paths``: searched from their common directory
    upwards."""
    found = find_configs(paths)
    return found[0] if found else None


def find_configs(paths: Sequence[str]) -> list[str]:
    """The configuration file that applies to ``paths``, followed by the other configuration
    files of its directory that it shadows (empty when there is none)."""
    if not paths:
        paths = ["."]
    absolute = [os.path.abspath(p) for p in paths]
    try:
        start = os.path.commonpath(absolute)
    except ValueError:  # different drives
        start = absolute[0]
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    directory = start
    while True:
        found = [
            os.path.join(directory, name)
            for name in CONFIG_NAMES
            if os.path.isfile(os.path.join(directory, name)) and (name != "pyproject.toml" or _has_tool_table(os.path.join(directory, name)))
        ]
        if found:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return []
        directory = parent


def discover(paths: Sequence[str]) -> Config | None:
    found = find_configs(paths)
    if not found:
        return None
    config = load(found[0])
    config.shadowed = tuple(found[1:])
    return config


# The settings `policylint config` shows, with their built-in defaults.
DEFAULTS: dict[str, Any] = {
    "select": [],
    "ignore": [],
    "severity": {},
    "exclude": [],
    "fail-on": "low",
    "per-path-ignores": {},
    "parameters": {},
    "var-files": [],
}


def effective(config: Config | None) -> list[tuple[str, Any, str]]:
    """(key, value, source) for every setting: the file's value with the file's name, or the
    built-in default with ``default``."""
    out = []
    for key, default in DEFAULTS.items():
        if config is not None and key in config.keys:
            table = _table(config)
            out.append((key, table.get(key), config.path or "<config>"))
        else:
            out.append((key, default, "default"))
    return out


def _table(config: Config) -> dict[str, Any]:
    data = _toml().loads(config.text)
    if os.path.basename(config.path or "") == "pyproject.toml":
        return data.get("tool", {}).get("policylint", {})
    return data


def _toml():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _read(path: str) -> tuple[str, dict[str, Any]]:
    tomllib = _toml()
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read the file: {exc}") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"invalid TOML: {exc}") from None


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            if "policylint" not in handle.read():
                return False  # most pyproject.toml files: no need to parse TOML at all
    except OSError:
        return False
    try:
        _, data = _read(path)
    except ConfigError:
        return True  # report the broken file rather than silently skipping it
    return isinstance(data.get("tool"), dict) and "policylint" in data["tool"]


def load(path: str) -> Config:
    """Read and validate one configuration file."""
    text, data = _read(path)
    if os.path.basename(path) == "pyproject.toml":
        table = data.get("tool", {}).get("policylint", {})
        prefix = "[tool.policylint] "
    else:
        table = data
        prefix = ""
    _validate(table, path, prefix)
    config = Config(path=path, root=os.path.dirname(os.path.abspath(path)), text=text, keys=tuple(table))
    config.select = _names(table.get("select", []), path, prefix + "select", prefixes=True)
    config.ignore = _names(table.get("ignore", []), path, prefix + "ignore", prefixes=True)
    config.exclude = list(table.get("exclude", []))
    config.fail_on = table.get("fail-on")
    config.parameters = {name: _parameter_text(value) for name, value in table.get("parameters", {}).items()}
    config.var_files = [os.path.join(config.root, name) for name in table.get("var-files", [])]
    for name, severity in table.get("severity", {}).items():
        for code in _codes(name, path, f"{prefix}severity.{name}", prefixes=True):
            config.severity[code] = severity
    # An exact rule wins over a prefix, whatever the order they were written in.
    for name, severity in table.get("severity", {}).items():
        for code in _codes(name, path, f"{prefix}severity.{name}", prefixes=False, quiet=True):
            config.severity[code] = severity
    for pattern, names in table.get("per-path-ignores", {}).items():
        codes: list[str] = []
        key = f'{prefix}per-path-ignores."{pattern}"'
        for name in names:
            name, until = _until(name, path, key)
            for code in _codes(name, path, key, prefixes=True):
                if until is not None:
                    config.per_path_until.setdefault(pattern, {})[code] = until
                if code not in codes:
                    codes.append(code)
        config.per_path_ignores[pattern] = codes
    return config


def _parameter_text(value: Any) -> str:
    """A parameter value as CloudFormation receives it: text (`true`, not `True`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_ENTRY_UNTIL = lazy(r"^(?P<name>\S+)\s+until=(?P<date>\S+)$")


def _until(entry: str, path: str, key: str) -> tuple[str, datetime.date | None]:
    """``"PL201 until=2027-01-31"`` → (``PL201``, the date)."""
    import datetime  # only an entry with `until=` needs it

    match = _ENTRY_UNTIL.match(entry.strip())
    if match is None:
        return entry, None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", match.group("date")):
            raise ValueError
        return match.group("name"), datetime.date.fromisoformat(match.group("date"))
    except ValueError:
        raise ConfigError(path, key, f"bad expiry `until={match.group('date')}`: write a date as `until=YYYY-MM-DD`") from None


def _validate(table: Any, path: str, prefix: str) -> None:
    import json

    import jsonschema

    with open(SCHEMA_FILE, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(table), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    error = errors[0]
    key = _key_path(error.absolute_path)
    if error.validator == "additionalProperties" and not error.absolute_path:
        known = sorted(schema["properties"])
        unknown = sorted(set(table) - set(known))
        import difflib

        hint = difflib.get_close_matches(unknown[0], known, n=1)
        suggestion = f"; did you mean `{hint[0]}`?" if hint else f" (known keys: {', '.join(known)})"
        raise ConfigError(path, prefix + unknown[0], f"unknown key{suggestion}")
    if error.validator == "enum":
        message = f"{error.instance!r} is not one of {', '.join(error.validator_value)}"
    elif error.validator == "type":
        message = f"expected {_article(error.validator_value)}, got {error.instance!r}"
    else:
        message = error.message
    raise ConfigError(path, (prefix + key) if key else prefix.strip() or None, message)


def _article(kind: Any) -> str:
    names = {"array": "a list", "object": "a table", "string": "a string"}
    return names.get(kind, str(kind))


def _key_path(parts) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out and not part.replace("-", "").replace("_", "").isalnum():
            out += f'."{part}"'
        else:
            out += ("." if out else "") + str(part)
    return out


def _names(names: list[str], path: str, key: str, prefixes: bool) -> list[str]:
    for name in names:
        _codes(name, path, key, prefixes)
    return list(names)


def _codes(name: str, path: str, key: str, prefixes: bool, quiet: bool = False) -> list[str]:
    """Rule codes a name stands for; an unknown name is an error (unless ``quiet``)."""
    from policylint.catalogue import catalogue

    try:
        if prefixes:
            return sorted(catalogue().codes([name]))
        return [catalogue().find(name).code]
    except UsageError:
        if quiet:
            return []
        raise ConfigError(path, key, f"unknown rule `{name}`{catalogue().suggest(name)} (see `policylint rules`)") from None
