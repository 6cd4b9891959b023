"""Terraform plan JSON (``terraform show -json plan.out``) into the common model.

``planned_values`` holds the resources (child modules recursively) with the values Terraform will
apply; values only known after apply are absent there.  ``configuration`` tells which resource an
expression referred to, which is how a split ``aws_s3_bucket_*`` resource finds its bucket when
the bucket's name is computed.  Plan files have no source ranges, so every value points at the
line of its resource's ``"address"`` in the plan.  The resources themselves are normalised by the
same code as HCL (:mod:`policylint.parsers.tf_resources`).
"""

from __future__ import annotations

import json

from policylint.model import Document, Location, Node, ParseError, Provisioner, Ref, Unknown
from policylint.patterns import lazy

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import Any

FORMAT = "plan"
_ADDRESS = lazy(r'"address"\s*:\s*"((?:[^"\\]|\\.)*)"')
_INDEX = lazy(r"\[[^\]]*\]$")


def parse(text: str, path: str) -> Document:
    doc = Document(FORMAT)
    try:
        plan = json.loads(text, parse_int=_integer, parse_float=_real)
    except json.JSONDecodeError as exc:
        doc.errors.append(ParseError(path, exc.lineno, f"invalid JSON: {exc.msg}"))
        return doc
    except RecursionError:
        doc.errors.append(ParseError(path, None, "the plan is nested too deeply to be read", "unsupported"))
        return doc
    if not isinstance(plan, dict):
        doc.errors.append(ParseError(path, 1, "a Terraform plan must be a JSON object"))
        return doc
    lines = _address_lines(text)
    after_unknown = {
        change.get("address"): _object(change.get("change")).get("after_unknown") or {}
        for change in plan.get("resource_changes") or []
        if isinstance(change, dict)
    }
    expressions = _configuration_expressions(_object(_object(plan.get("configuration")).get("root_module")), "")
    provisioners = _configuration_provisioners(_object(_object(plan.get("configuration")).get("root_module")), "")
    root = _object(_object(plan.get("planned_values")).get("root_module"))
    from policylint.parsers import tf_resources

    for module_address, resource in _walk_modules(root):
        if resource.get("mode") != "managed" or not isinstance(resource.get("values"), dict):
            continue
        address = resource.get("address", "")
        line = lines.get(address, 1)
        scope = f"plan:{path}::"
        values = _to_node(resource["values"], path, line)
        module_prefix = module_address + "." if module_address else ""
        _fill_from_configuration(values, expressions.get(_INDEX.sub("", address), {}), after_unknown.get(address, {}), (scope + module_prefix, path, line))
        built = tf_resources.build(
            tf_type=resource.get("type", ""),
            address=address,
            uid=scope + address,
            attrs=values,
            location=Location(path, line, line),
            format=FORMAT,
        )
        for built_resource in built.resources:
            # A value in a plan may come from a variable, a .tfvars file or the environment:
            # only what the configuration writes as a literal is a secret written in the code.
            built_resource.secrets = [s for s in built_resource.secrets if _written_literally(expressions.get(_INDEX.sub("", address), {}), s.name, s.what)]
        written = provisioners.get(_INDEX.sub("", address))
        if written and built.resources:
            built.resources[0].provisioners = [
                Provisioner(kind, _to_node({name: _constant(e) for name, e in exprs.items()}, path, line)) for kind, exprs in written
            ]
        doc.resources.extend(built.resources)
        for policy in built.policies:
            # A policy string has no lines of its own in a plan: everything is at the resource.
            for node in policy.body.walk():
                node.line = node.end_line = line
                node.text_line = None
            doc.policies.append(policy)
    return doc


def _integer(text: str) -> Any:
    """A JSON integer; an unknown holding its text when it has over 4,300 digits (Python will not
    convert it)."""
    try:
        return int(text)
    except ValueError:
        return Unknown(text)


def _real(text: str) -> Any:
    """A JSON number with a fraction or exponent; an unknown beyond a float's range."""
    value = float(text)
    return Unknown(text) if value in (float("inf"), float("-inf")) else value


def _object(value: Any) -> dict:
    """A JSON object of the plan, or an empty one where the plan has null or something else."""
    return value if isinstance(value, dict) else {}


def _address_lines(text: str) -> dict[str, int]:
    """The first line on which each resource address appears (planned_values comes first)."""
    out: dict[str, int] = {}
    line = 1
    position = 0
    for match in _ADDRESS.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        out.setdefault(json.loads(f'"{match.group(1)}"'), line)
    return out


def _walk_modules(module: dict, prefix: str = ""):
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            yield prefix, resource
    for child in module.get("child_modules") or []:
        if isinstance(child, dict):
            yield from _walk_modules(child, child.get("address", prefix))


def _configuration_expressions(module: dict, prefix: str) -> dict[str, dict]:
    """resource address (no index) -> its ``expressions`` as written in the configuration."""
    out: dict[str, dict] = {}
    for resource in module.get("resources") or []:
        if isinstance(resource, dict):
            out[f"{prefix}{resource.get('address', '')}"] = _object(resource.get("expressions"))
    for name, call in _object(module.get("module_calls")).items():
        out.update(_configuration_expressions(_object(_object(call).get("module")), f"{prefix}module.{name}."))
    return out


def _configuration_provisioners(module: dict, prefix: str) -> dict[str, list[tuple[str, dict]]]:
    """resource address (no index) -> its provisioners as (type, expressions)."""
    out: dict[str, list[tuple[str, dict]]] = {}
    for resource in module.get("resources") or []:
        if isinstance(resource, dict) and isinstance(resource.get("provisioners"), list):
            out[f"{prefix}{resource.get('address', '')}"] = [
                (str(p.get("type")), _object(p.get("expressions"))) for p in resource["provisioners"] if isinstance(p, dict)
            ]
    for name, call in _object(module.get("module_calls")).items():
        out.update(_configuration_provisioners(_object(_object(call).get("module")), f"{prefix}module.{name}."))
    return out


def _constant(expression: Any) -> Any:
    """A configuration expression's literal value; an unknown for anything computed."""
    if isinstance(expression, dict) and "constant_value" in expression:
        return expression["constant_value"]
    return Unknown("(an expression of the configuration)")


_NOT_RESOURCES = ("var.", "local.", "data.", "module.", "each.", "count.", "path.", "terraform.", "self.")


def _fill_from_configuration(values: Node, expressions: dict, unknown: Any, link: tuple[str, str, int], text: str = "") -> None:
    """Values computed at apply time are absent from ``planned_values``.  Where the user wrote an
    expression for them, put back what the configuration tells: a reference to the resource it
    came from (so a split resource still finds its bucket), else an explicit unknown.  Attributes
    the user did not write stay absent, even when the provider computes them."""
    uid_prefix, path, line = link
    for name, expression in expressions.items():
        flag = unknown.get(name) if isinstance(unknown, dict) else None
        current = values.value.get(name)
        if isinstance(expression, list):  # nested blocks: follow them item by item
            if current is not None and isinstance(current.value, list):
                for index, block in enumerate(expression):
                    if index < len(current.value) and isinstance(block, dict) and isinstance(current.value[index].value, dict):
                        inner = flag[index] if isinstance(flag, list) and index < len(flag) else None
                        _fill_from_configuration(current.value[index], block, inner, link, f"{text}{name}.")
            elif flag is True or (current is None and expression):
                values.value[name] = Node(Unknown(f"(known after apply: {text}{name})"), path, line, line)
            continue
        if not isinstance(expression, dict) or (current is not None and current.value is not None):
            continue
        resource_refs = [r for r in expression.get("references", []) or [] if not r.startswith(_NOT_RESOURCES)]
        if resource_refs:
            target = resource_refs[0]  # Terraform lists `aws_s3_bucket.b.id` before `aws_s3_bucket.b`
            parts = target.split(".")
            ref = Ref(f"{uid_prefix}{'.'.join(parts[:2])}", parts[2] if len(parts) > 2 else None, target)
            values.value[name] = Node(ref, path, line, line)
        elif flag is True or expression.get("references"):
            values.value[name] = Node(Unknown(f"(known after apply: {text}{name})"), path, line, line)


def _written_literally(expressions: dict, name: str, what: str) -> bool:
    """Whether the configuration writes the secret setting ``name`` without any reference."""
    if what == "environment variable":
        environment = expressions.get("environment")
        expression = environment[0].get("variables") if isinstance(environment, list) and environment and isinstance(environment[0], dict) else None
        expression = expression if expression is not None else expressions.get("container_definitions")
    else:
        expression = expressions.get(name)
    return isinstance(expression, dict) and not expression.get("references")


def _to_node(value: Any, path: str, line: int) -> Node:
    if isinstance(value, dict):
        return Node({k: _to_node(v, path, line) for k, v in value.items()}, path, line, line)
    if isinstance(value, list):
        return Node([_to_node(v, path, line) for v in value], path, line, line)
    return Node(value, path, line, line)


def parse_unit(unit) -> Document:
    """The registry's entry point (see :mod:`policylint.parsers`)."""
    return parse(unit.text, unit.path)
