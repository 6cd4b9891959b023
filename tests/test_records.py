"""``policylint.records``: the dataclasses subset the code base uses behaves as dataclasses does."""

from __future__ import annotations

import dataclasses
import pickle
from typing import ClassVar

import pytest

from policylint.records import FrozenInstanceError, field, fields, record, replace


@record(frozen=True)
class Point:
    x: int
    y: int = 0


@record
class Box:
    name: str
    items: list = field(default_factory=list)
    secret: str = field(default="s", repr=False)
    kind: ClassVar[str] = "box"


@record(eq=False)
class Base:
    a: int
    b: str = "b"


@record(eq=False)
class Child(Base):
    c: int = 3
    b: str = "child"  # a redefined field keeps its place


@record
class Checked:
    value: int

    def __post_init__(self) -> None:
        if self.value < 0:
            raise ValueError("negative")


@dataclasses.dataclass
class BoxDataclass:  # the reference
    name: str
    items: list = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="s", repr=False)
    kind: ClassVar[str] = "box"


def test_fields_defaults_and_factories():
    assert Point(1) == Point(1, 0) == Point(x=1, y=0)
    first, second = Box("a"), Box("b")
    first.items.append(1)
    assert second.items == []  # one list per instance
    assert [f.name for f in fields(Box)] == ["name", "items", "secret"]  # ClassVar is not a field
    assert [f.name for f in fields(Child)] == ["a", "b", "c"]
    assert Child(1).b == "child" and Child(1, "x", 4).c == 4
    with pytest.raises(TypeError):
        Point()


def test_equality_and_hashing_as_dataclasses():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2)) and len({Point(1, 2), Point(1, 2)}) == 1
    assert Box("a") == Box("a") and Box("a") != Box("b")
    assert Box.__hash__ is None and BoxDataclass.__hash__ is None  # mutable, compared by value
    assert (Point(1, 2) == (1, 2)) is False
    base = Base(1)
    assert base != Base(1) and base == base and hash(base) == object.__hash__(base)  # identity


def test_frozen():
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2
    with pytest.raises(AttributeError):  # as dataclasses' FrozenInstanceError
        del point.y


def test_repr_matches_dataclasses():
    assert repr(Box("a", [1])) == repr(BoxDataclass("a", [1])).replace("BoxDataclass", "Box")
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"


def test_replace_fields_and_post_init():
    assert replace(Point(1, 2), y=5) == Point(1, 5)
    with pytest.raises(TypeError):
        replace(Point(1, 2), z=5)
    with pytest.raises(ValueError):
        Checked(-1)
    assert replace(Checked(1), value=2).value == 2
    with pytest.raises(ValueError):
        replace(Checked(1), value=-2)
    assert fields(Point(1)) == fields(Point)
    with pytest.raises(TypeError):
        fields(object())


@record(slots=True)
class Slotted:
    name: str
    size: int = 1
    tags: list = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.name}:{self.size}"


@record(frozen=True, slots=True)
class FrozenSlotted:
    x: int
    y: int = 2


def test_slots():
    """``slots=True``: no instance dictionary, the dataclasses behaviour otherwise."""
    first = Slotted("a")
    assert not hasattr(first, "__dict__") and Slotted.__slots__ == ("name", "size", "tags")
    assert (first.size, first.tags, first.describe()) == (1, [], "a:1")
    assert Slotted("a") == first != Slotted("a", 2) and repr(first) == "Slotted(name='a', size=1, tags=[])"
    assert Slotted("b").tags is not first.tags
    with pytest.raises(AttributeError):
        first.colour = "red"  # a typo fails loudly instead of adding an attribute
    frozen = FrozenSlotted(1)
    assert frozen == FrozenSlotted(1, 2) and hash(frozen) == hash(FrozenSlotted(1)) and not hasattr(frozen, "__dict__")
    with pytest.raises(FrozenInstanceError):
        frozen.x = 3
    for _ in range(40):  # past the generic __init__: the compiled one agrees
        assert Slotted("c", 3) == Slotted(name="c", size=3, tags=[])
    assert pickle.loads(pickle.dumps(FrozenSlotted(5))) == FrozenSlotted(5)


def test_pickle_round_trip():
    """The cache pickles the model."""
    for value in (Point(1, 2), Box("a", [Point(3)]), Child(1, "x", 2)):
        copy = pickle.loads(pickle.dumps(value))
        assert type(copy) is type(value) and repr(copy) == repr(value)
    assert pickle.loads(pickle.dumps(Point(1, 2))) == Point(1, 2)


def test_the_model_uses_no_dataclasses():
    """The point of the module: the model's import does not pay for dataclasses."""
    import subprocess
    import sys

    code = "import sys, policylint.model, policylint.report, policylint.scan; print('dataclasses' in sys.modules, 'inspect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split() == ["False", "False"]


def test_the_generic_and_the_compiled_init_agree():
    """A class's first instances are built generically, the others by its compiled __init__."""
    from policylint import records

    @record(frozen=True)
    class Pair:
        left: int
        right: list = field(default_factory=list)
        label: str = "pair"

    def attempts():
        built = [Pair(1), Pair(1, [2]), Pair(left=1, label="x"), Pair(1, right=[3])]
        errors = []
        for args, kwargs in (((), {}), ((1, [], "a", "extra"), {}), ((1,), {"left": 2}), ((1,), {"colour": 2})):
            with pytest.raises(TypeError) as caught:
                Pair(*args, **kwargs)
            errors.append(str(caught.value).split("__init__() ")[-1].split("Pair() ")[-1])
        return [repr(b) for b in built], errors

    generic = attempts()
    assert Pair.__init__ is records._first_init
    for _ in range(records._COMPILE_AFTER):
        Pair(0)
    assert Pair.__init__ is not records._first_init  # compiled now
    assert attempts() == generic
