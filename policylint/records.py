"""``@record``: the part of :func:`dataclasses.dataclass` this code base uses, at a fraction of
its start-up cost.

Why not dataclasses: importing it pulls in ``inspect`` (and with it ``ast``, ``dis``,
``tokenize``), and decorating a class compiles its ``__init__``, ``__repr__`` and ``__eq__`` one
``exec`` at a time.  The model alone has some thirty classes, so a one-file scan spent about a
third of its CPU before reading the file.  Here nothing is compiled at import: a class's first
instances are built by a generic ``__init__``, its own ``__init__`` is compiled once it has built
many, its ``__eq__``/``__hash__`` when it is first compared; ``__repr__`` is shared.

Supported, with the dataclasses meaning: annotated fields in definition order, inherited from
record bases; defaults; ``field(default=..., default_factory=..., repr=False)``;
``frozen=True`` (assignment raises :class:`FrozenInstanceError`, instances hash by value);
``eq=False`` (identity comparison); ``slots=True`` (the class is made again with ``__slots__``
for its own fields; no zero-argument ``super()`` in its methods); ``__post_init__``; ``ClassVar``
annotations are not fields.
:func:`replace` and :func:`fields` work as their dataclasses namesakes.
"""

from __future__ import annotations

MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a ``frozen`` record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr")

    def __init__(self, default=MISSING, default_factory=MISSING, repr=True):
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field({self.name!r})"


def field(*, default=MISSING, default_factory=MISSING, repr=True):
    """A field with a default factory or without ``repr``, as ``dataclasses.field``."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return Field(default, default_factory, repr)


def record(cls=None, /, *, frozen: bool = False, eq: bool = True, slots: bool = False):
    """Class decorator: ``@record``, ``@record(frozen=True)``, ``@record(eq=False)``,
    ``@record(slots=True)``."""

    def wrap(cls):
        return _process(cls, frozen, eq, slots)

    return wrap if cls is None else wrap(cls)


def fields(record_or_instance) -> tuple[Field, ...]:
    try:
        return record_or_instance.__record_fields__
    except AttributeError:
        raise TypeError("fields() needs a record class or instance") from None


def replace(instance, /, **changes):
    """A copy of ``instance`` with some fields changed (an unknown name is a ``TypeError``)."""
    for f in instance.__record_fields__:
        if f.name not in changes:
            changes[f.name] = getattr(instance, f.name)
    return instance.__class__(**changes)


def _is_class_var(annotation) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _process(cls, frozen: bool, eq: bool, slots: bool = False):
    by_name: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in getattr(base, "__record_fields__", ()):
            by_name[f.name] = f
    own: dict[str, Field] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else Field(value)
        f.name = name
        own[name] = by_name[name] = f
    if slots:
        cls = _with_slots(cls, own)
    else:
        for name, f in own.items():
            if isinstance(cls.__dict__.get(name), Field):  # field(...): the class keeps the default only
                if f.default is MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
    cls.__record_fields__ = tuple(by_name.values())
    cls.__record_options__ = (frozen, eq)
    cls.__init__ = _first_init
    if "__repr__" not in cls.__dict__:
        cls.__repr__ = _repr
    if eq:
        cls.__eq__ = _first_eq
        if frozen:
            cls.__hash__ = _first_hash
        elif "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # mutable and compared by value: not hashable, as dataclasses
    if frozen:
        cls.__setattr__ = _frozen_setattr
        cls.__delattr__ = _frozen_delattr
    return cls


def _with_slots(cls, own: dict[str, Field]):
    """``cls`` made again with ``__slots__`` for the fields it declares.  Its defaults leave the
    class, where they would clash with the slots (the fields keep them for ``__init__``).  An
    instance is one allocation instead of two: 88 bytes instead of 136 for a
    :class:`~policylint.model.Node`, built ~40 % faster (measured alone; 0.6 % of a scan)."""
    namespace = {name: value for name, value in cls.__dict__.items() if name not in own and name not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(own)
    namespace.setdefault("__reduce__", _reduce)  # pickle's default would set slots one by one: not on a frozen record
    return type(cls)(cls.__name__, cls.__bases__, namespace)


def _reduce(self):
    return (self.__class__, tuple(getattr(self, f.name) for f in self.__record_fields__))


# A class's first instances are built by a generic __init__; compiling one costs about 0.1-0.3 ms,
# which pays off only for the classes a scan builds many of (Node, statements, resources).  At 16
# a one-file scan compiles no more than at 64, and a large scan spends 1 % less.
_COMPILE_AFTER = 16


def _first_init(self, *args, **kwargs):
    cls = self.__class__
    built = cls.__dict__.get("__record_built__", 0)
    if built < _COMPILE_AFTER:
        cls.__record_built__ = built + 1
        _generic_init(self, cls.__record_fields__, args, kwargs)
        if hasattr(cls, "__post_init__"):
            self.__post_init__()
        return
    _compile_init(cls)
    cls.__init__(self, *args, **kwargs)


def _generic_init(self, fields, args, kwargs) -> None:
    """What the compiled ``__init__`` does, with the same errors for wrong arguments."""
    name = self.__class__.__name__
    if len(args) > len(fields):
        required = sum(f.default is MISSING and f.default_factory is MISSING for f in fields)
        takes = f"{len(fields) + 1}" if required == len(fields) else f"from {required + 1} to {len(fields) + 1}"
        raise TypeError(f"{name}() takes {takes} positional arguments but {len(args) + 1} were given")
    for position, f in enumerate(fields):
        if position < len(args):
            if f.name in kwargs:
                raise TypeError(f"{name}() got multiple values for argument {f.name!r}")
            value = args[position]
        elif f.name in kwargs:
            value = kwargs.pop(f.name)
        elif f.default_factory is not MISSING:
            value = f.default_factory()
        elif f.default is not MISSING:
            value = f.default
        else:
            raise TypeError(f"{name}() missing 1 required positional argument: {f.name!r}")
        object.__setattr__(self, f.name, value)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")


def _first_eq(self, other):
    _compile_comparison(self.__class__)
    return self.__class__.__eq__(self, other)


def _first_hash(self):
    _compile_comparison(self.__class__)
    return self.__class__.__hash__(self)


def _compile_init(cls) -> None:
    frozen, _ = cls.__record_options__
    namespace: dict[str, object] = {"MISSING": MISSING, "_set": object.__setattr__}
    parameters, body = [], []
    for f in cls.__record_fields__:
        if f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            parameters.append(f"{f.name}=MISSING")
            value = f"_factory_{f.name}() if {f.name} is MISSING else {f.name}"
        else:
            if f.default is not MISSING:
                namespace[f"_default_{f.name}"] = f.default
                parameters.append(f"{f.name}=_default_{f.name}")
            else:
                parameters.append(f.name)
            value = f.name
        body.append(f"_set(self, {f.name!r}, {value})" if frozen else f"self.{f.name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = [f"def __init__(self, {', '.join(parameters)}):", *(f"    {line}" for line in body or ["pass"])]
    exec("\n".join(source), namespace)
    cls.__init__ = _named(namespace["__init__"], cls)


def _compile_comparison(cls) -> None:
    """``__eq__``, and ``__hash__`` for a frozen class, in one exec."""
    frozen, _ = cls.__record_options__
    mine = "(" + "".join(f"self.{f.name}, " for f in cls.__record_fields__) + ")"
    theirs = "(" + "".join(f"other.{f.name}, " for f in cls.__record_fields__) + ")"
    source = ["def __eq__(self, other):", f"    return {mine} == {theirs} if other.__class__ is self.__class__ else NotImplemented"]
    if frozen:
        source += ["def __hash__(self):", f"    return hash({mine})"]
    namespace: dict[str, object] = {}
    exec("\n".join(source), namespace)
    cls.__eq__ = _named(namespace["__eq__"], cls)
    if frozen:
        cls.__hash__ = _named(namespace["__hash__"], cls)


def _named(function, cls):
    function.__qualname__ = f"{cls.__qualname__}.{function.__name__}"
    function.__module__ = cls.__module__
    return function


def _repr(self) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__ if f.repr)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self, name, value):
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self, name):
    raise FrozenInstanceError(f"cannot delete field {name!r}")
