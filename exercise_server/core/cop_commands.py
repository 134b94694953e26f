"""COP commands: add, change and remove features, and the drafts a change to the COP makes
(who sees it before and after, by `access.feature_teams`), for teams and injects alike."""

from __future__ import annotations

import copy
from typing import Any

import msgpack

from . import events as ev
from .access import TRAINEE, feature_teams, may_change_feature, may_see_feature
from .context import Decider, Decision
from .errors import CommandError
from .msel_check import patch_problem
from .scenario import ALL, CONTROL, FEATURE_KINDS, Scenario
from .validate import field
from .versions import check_version
from .workflows.notification import hazard_drafts


def cop_change_drafts(
    decision: Decision,
    cop: dict[str, dict[str, Any]],
    change: dict[str, Any],
    actor: ev.Actor,
    cause: str | None = None,
) -> list[ev.Draft]:
    """Drafts for one add / change / remove applied to `cop` (which is updated as we go)."""
    scenario = decision.scenario
    if "add" in change:
        feature = copy.deepcopy(change["add"])
        if feature["id"] in cop:
            return []  # added meanwhile by someone else: the inject's add is moot
        cop[feature["id"]] = feature
        audience = decision.team_audience(feature_teams(scenario, feature))
        return [decision.draft(ev.COP_FEATURE_ADDED, {"feature": feature, "cause": cause}, audience, actor)]
    fid = change.get("change") or change.get("remove")
    before = cop.get(fid) if isinstance(fid, str) else None
    if fid is None or before is None:
        return []  # removed meanwhile
    seen_before = feature_teams(scenario, before)
    if "remove" in change:
        del cop[fid]
        audience = decision.team_audience(seen_before)
        return [decision.draft(ev.COP_FEATURE_REMOVED, {"id": fid, "cause": cause}, audience, actor)]
    after = {**before, **copy.deepcopy(change["set"])}
    if "name" in change["set"] and "translations" not in change["set"]:
        after.pop("translations", None)  # a name given in one language has no translation yet
    cop[fid] = after
    seen_after = feature_teams(scenario, after)
    payload = {
        "id": fid,
        "set": change["set"],
        "feature": after,
        "cause": cause,
        "hidden_from": sorted(seen_before - seen_after),
    }
    return [decision.draft(ev.COP_FEATURE_CHANGED, payload, decision.team_audience(seen_before | seen_after), actor)]


def _scope(scenario: Scenario) -> set[str]:
    return {c.id for c in scenario.components} | {t.id for t in scenario.teams}


def _check_size(feature: dict[str, Any], decision: Decision) -> None:
    limit = decision.limits.feature_bytes
    if len(msgpack.packb(feature, use_bin_type=True)) > limit:
        raise CommandError("invalid", f"a COP feature may take at most {limit} bytes")


def _add(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    raw = field(command, "feature", dict)
    allowed = {"kind", "name", "geometry", "properties", "visible_to", "owner"}
    if set(raw) - allowed:
        raise CommandError("invalid", f"a new feature has only {', '.join(sorted(allowed))}")
    feature = {
        "kind": raw.get("kind"),
        "name": raw.get("name"),
        "geometry": raw.get("geometry"),
        "properties": raw.get("properties", {}),
        "visible_to": raw.get("visible_to"),
    }
    principal, scenario = decision.principal, decision.scenario
    trainee, team = principal.role == TRAINEE, principal.team
    if trainee:
        if "owner" in raw:
            raise CommandError("forbidden", "a team owns what it adds; owner cannot be set")
        feature["owner"] = team
        feature["visible_to"] = feature["visible_to"] or [team]
        owned = sum(1 for f in decision.state.cop.values() if f["owner"] == team)
        if owned >= decision.limits.features_per_team:
            raise CommandError("invalid", f"a team may own at most {decision.limits.features_per_team} features")
    else:
        feature["owner"] = raw.get("owner", CONTROL)
        feature["visible_to"] = feature["visible_to"] or ALL
    if feature["kind"] not in FEATURE_KINDS:
        raise CommandError("invalid", f"kind must be one of {', '.join(FEATURE_KINDS)}")
    patch = {k: feature[k] for k in ("name", "geometry", "properties", "visible_to", "owner")}
    problem = patch_problem(patch, scenario, _scope(scenario))
    if problem:
        raise CommandError("invalid", problem)
    _check_size(feature, decision)
    if trainee and feature["visible_to"] != ALL and team not in feature_teams(scenario, feature):
        feature["visible_to"] = [*feature["visible_to"], team]  # a team always sees its own features
    prefix = team if trainee else "ctl"
    n = 1 + sum(1 for fid in decision.state.cop if fid.startswith(f"{prefix}-f"))
    while f"{prefix}-f{n}" in decision.state.cop:
        n += 1
    feature = {"id": f"{prefix}-f{n}", **feature}
    drafts = cop_change_drafts(decision, decision.working_cop(), {"add": feature}, principal.actor())
    return drafts + hazard_drafts(decision, drafts)


def _visible_feature(decision: Decision, command: dict[str, Any]) -> dict[str, Any]:
    fid = field(command, "feature_id", str)
    feature = decision.state.cop.get(fid)
    if feature is None or not may_see_feature(decision.principal, feature, decision.scenario):
        raise CommandError("not_found", f"no COP feature {fid!r} that you may see")
    if not may_change_feature(decision.principal, feature):
        raise CommandError("forbidden", f"COP feature {fid!r} belongs to {feature['owner']}")
    check_version(command, decision.state.cop_versions[fid], feature, f"COP feature {fid!r}")
    return feature


def _change(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    feature = _visible_feature(decision, command)
    patch = field(command, "set", dict)
    if not patch:
        raise CommandError("invalid", "set: needs at least one field")
    trainee = decision.principal.role == TRAINEE
    if trainee and "owner" in patch:
        raise CommandError("forbidden", "only the facilitator changes who owns a feature")
    problem = patch_problem(patch, decision.scenario, _scope(decision.scenario))
    if problem:
        raise CommandError("invalid", problem)
    _check_size({**feature, **patch}, decision)
    patch = copy.deepcopy(patch)
    owner = feature["owner"]
    visible_to = patch.get("visible_to")
    if visible_to is not None and visible_to != ALL and trainee and owner not in visible_to:
        patch["visible_to"] = [*visible_to, owner]  # the owner never hides a feature from itself
    change = {"change": feature["id"], "set": patch}
    drafts = cop_change_drafts(decision, decision.working_cop(), change, decision.principal.actor())
    return drafts + hazard_drafts(decision, drafts)


def _remove(decision: Decision, command: dict[str, Any]) -> list[ev.Draft]:
    decision.not_ended()
    feature = _visible_feature(decision, command)
    return cop_change_drafts(decision, decision.working_cop(), {"remove": feature["id"]}, decision.principal.actor())


DECIDERS: dict[str, Decider] = {"cop.add": _add, "cop.change": _change, "cop.remove": _remove}
