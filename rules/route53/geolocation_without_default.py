"""
## What it does
Groups Route 53 geolocation records by hosted zone, name and type, and reports a group in which
no record is the default location (`GeoLocation: {CountryCode: "*"}` /
`geolocation_routing_policy { country = "*" }`). Names are compared as Route 53 does (case,
trailing dot, Terraform names relative to the zone). Records inside
`AWS::Route53::RecordSetGroup` and records spread over several templates or modules are grouped
together. The finding points at the location (`GeoLocation`) of the group's first record.

A group is not reported when some record could still be its default: a record with the same type
and a name that may match (in the same zone or in a zone that cannot be resolved) whose location,
or whose routing policy (a `dynamic` block, `Fn::If`), cannot be resolved.

## Why is this bad?
Route 53 answers a geolocation query from the most specific location that matches the resolver's
address. When nothing matches, because the location is not covered or the address cannot be
placed at all, and there is no default record, Route 53 returns "no answer" (NOERROR with no
data): those users silently cannot reach the service.

## Example
```yaml
Resources:
  Europe:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "300"
      ResourceRecords: [192.0.2.10]
      SetIdentifier: europe
      GeoLocation:
        ContinentCode: EU
  UnitedStates:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "300"
      ResourceRecords: [198.51.100.20]
      SetIdentifier: us
      GeoLocation:
        CountryCode: US
```

## Use instead
```yaml
Resources:
  Europe:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "300"
      ResourceRecords: [192.0.2.10]
      SetIdentifier: europe
      GeoLocation:
        ContinentCode: EU
  Default:
    Type: AWS::Route53::RecordSet
    Properties:
      HostedZoneName: example.com.
      Name: www.example.com.
      Type: A
      TTL: "300"
      ResourceRecords: [198.51.100.20]
      SetIdentifier: default
      GeoLocation:
        CountryCode: "*"
```

## References
- [Geolocation routing](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-geo.html)
- [Values specific for geolocation records: the default location](https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-geo.html)
"""

from __future__ import annotations

from policylint.model import Ref, text_of
from policylint.rule import Rule


class Route53GeolocationWithoutDefault(Rule):
    code = "PL406"
    slug = "route53-geolocation-without-default"
    severity = "medium"
    title = "Geolocation records without a default location"
    formats = frozenset({"cloudformation", "terraform", "plan"})

    def check(self, scan):
        # A routing element that cannot be resolved (a `dynamic` block, `Fn::If`) may be geolocation.
        entries = [
            _Entry(record)
            for record in scan.records
            if record.routing_policy == "geolocation" or (record.routing is not None and not record.routing.known)
        ]
        groups: dict[tuple, list[_Entry]] = {}
        for entry in entries:
            if entry.record.routing_policy != "geolocation":
                continue
            if entry.zone is not None and entry.name is not None and entry.type is not None:
                groups.setdefault((entry.zone, entry.name, entry.type), []).append(entry)
        for members in groups.values():
            if any(candidate.may_be_default_of(members[0]) for candidate in entries):
                continue
            first = min(members, key=lambda e: (e.record.location.file, e.record.location.line))
            record = first.record
            at = record.routing if record.routing is not None else record
            yield self.finding(
                f"Geolocation records for `{first.name}` (`{first.type}`) have no default location (country `*`): "
                "queries from locations they do not cover get no answer; add a record with country `*`",
                at=at,
                resource=record,
            )


class _Entry:
    """A geolocation record with what grouping needs; None where it cannot be known."""

    def __init__(self, record):
        self.record = record
        kind = text_of(record.record_type)
        self.type = kind.upper() if kind else None
        zone = record.zone.value if record.zone is not None else None
        if record.zone_fqdn:
            self.zone = ("name", record.zone_fqdn)
        elif isinstance(zone, Ref):
            self.zone = ("ref", zone.uid)
        elif isinstance(zone, str) and zone:
            self.zone = ("id", zone)
        else:
            self.zone = None
        # Without the zone's name, a name may be relative ("www") or complete.
        self.exact = record.fqdn is not None
        self.name = record.fqdn if self.exact else record.written_name
        country = record.geo_country
        if record.routing_policy != "geolocation" or (country is not None and not country.known):
            self.country = "?"
        else:
            self.country = text_of(country) if country is not None else None

    def may_be_default_of(self, member: _Entry) -> bool:
        if self.country not in ("*", "?"):
            return False
        if self.type is not None and self.type != member.type:
            return False
        if self.zone is not None and self.zone != member.zone and self.zone[0] == member.zone[0]:
            return False  # two different zones named the same way
        if self.name is None or self.name == member.name:
            return True
        if self.exact and member.exact:
            return False
        if not self.name or not member.name:
            return True  # "" is the apex of a zone whose name is unknown
        return self.name.startswith(member.name + ".") or member.name.startswith(self.name + ".")
