"""What a rule is: documentation, metadata and a check over the scan, in one class.

A rule file under ``rules/`` defines one subclass of :class:`Rule`; the engine finds it by walking
the package, so adding a rule means adding a file.
"""

from __future__ import annotations


from policylint.model import Location, Node, PolicyDocument, Resource, truth
from policylint.report import Finding

TYPE_CHECKING = False  # typing stays unimported at run time: annotations are strings (lean start)
if TYPE_CHECKING:
    from typing import ClassVar, Iterable, Iterator

FORMATS = frozenset({"cloudformation", "terraform", "plan", "policy", "text"})


class Rule:
    """Subclass with a Markdown docstring (What it does / Why is this bad? / Example / Use instead /
    References) and these class attributes, then implement ``check``.

    - A rule about one kind of item sets ``on`` to a model class (``S3Bucket``, ``Database``,
      ``PolicyDocument``, ``TextFile`` ...) and implements ``check(self, item, scan)``: the engine
      hands it every item of that class whose format is in ``formats``, and reports an error of
      the rule against that item.
    - A rule that spans items (logging cycles, zones and their records) leaves ``on`` as None and
      implements ``check(self, scan)``, filtering formats itself.
    """

    code: ClassVar[str]
    slug: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]
    formats: ClassVar[frozenset[str]]
    on: ClassVar[type | None] = None
    meta: ClassVar[bool] = False  # emitted by the pipeline (PL000), never run over the model

    def check(self, *args) -> Iterable[Finding]:  # (scan) or (item, scan), see the class docs
        raise NotImplementedError

    @classmethod
    def docs(cls) -> str:
        """The rule's Markdown documentation: the class docstring, else its module's."""
        import inspect
        import sys

        text = cls.__doc__ or getattr(sys.modules.get(cls.__module__), "__doc__", None) or ""
        return inspect.cleandoc(text)

    def finding(
        self,
        message: str,
        at: Node | Location | Resource | PolicyDocument,
        resource: Resource | PolicyDocument | str | None = None,
        severity: str | None = None,
        format: str | None = None,
    ) -> Finding:
        """Build a finding at the most specific place known (``at``), naming ``resource``."""
        location = at.location
        if resource is None and isinstance(at, (Resource, PolicyDocument)):
            resource = at
        fmt = format or getattr(resource, "format", None) or getattr(at, "format", None) or "text"
        address = resource if isinstance(resource, str) or resource is None else resource.address
        origin = getattr(at, "origin", None)
        if origin and origin not in message:  # a default, or a value a module call passed in
            message += origin_note(at)
        return Finding(
            rule_id=self.code,
            rule=self.slug,
            severity=severity or self.severity,
            message=message,
            file=location.file,
            line=location.line,
            end_line=max(location.end_line, location.line),
            resource=address,
            format=fmt,
        )

    def setting_off(self, resource: Resource, name: str, when_absent: str | None, when_false: str) -> Iterator[Finding]:
        """The finding for a boolean setting that should be on (``name``: the model field):
        ``when_absent`` when it is left out and AWS's default is off (None: absence is fine, or
        cannot be judged), ``when_false`` when it is written false; an unknown value says
        nothing.  ``{fix}`` in a message becomes the setting as the user writes it."""
        node = getattr(resource, name)
        fix = resource.assignment(name, True)
        if node is None:
            if when_absent is not None:
                yield self.finding(when_absent.format(fix=fix), at=resource)
        elif truth(node) is False:
            yield self.finding(when_false.format(fix=fix), at=node, resource=resource)  # finding() names the origin


def origin_note(node) -> str:
    """`` (default of `var.x`)``: where a value came from when it was not written where it is used
    (see ``Node.origin``), for messages; empty when it was written there."""
    origin = getattr(node, "origin", None)
    return f" ({origin})" if origin else ""
