"""Decide what a .json / .yaml file is without parsing it fully."""

from __future__ import annotations

import re

_CFN_TOP_KEY = re.compile(r"^(AWSTemplateFormatVersion|Resources|Transform)\s*:", re.MULTILINE)
_JSON_KEY = re.compile(r'"(AWSTemplateFormatVersion|Resources|planned_values|format_version|terraform_version|resource_changes|Statement|Version)"\s*:')
# A policy whose `Statement` key is misspelt is still a policy (PL204 reports the spelling).
_POLICY_VERSION = re.compile(r'"Version"\s*:\s*"20(?:12|08)-10-17"')


def looks_like_cfn_yaml(text: str) -> bool:
    return bool(_CFN_TOP_KEY.search(text))


def json_kind(text: str) -> str:
    """cloudformation | plan | policy | text (for JSON that is none of them)."""
    keys = set(_JSON_KEY.findall(text))
    if "planned_values" in keys or "resource_changes" in keys or ("format_version" in keys and "terraform_version" in keys):
        return "plan"
    if "Resources" in keys or "AWSTemplateFormatVersion" in keys:
        return "cloudformation"
    if "Statement" in keys or _POLICY_VERSION.search(text):
        return "policy"
    return "text"
