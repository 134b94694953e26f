"""Two facilitators edit the same inject and the same COP feature over real WebSockets (issue 15,
bug 4): the second, stale edit is refused with `conflict` and the error frame's `changed`."""

from __future__ import annotations

from .server_harness import Client


def _row(client: Client, iid: str) -> dict:
    assert client.snapshot is not None
    return next(r for r in client.snapshot["injects"] if r["inject"]["id"] == iid)


async def test_two_facilitators_editing_one_inject_the_second_learns_of_the_first(server):
    exercise, _, token = server.open_exercise()
    alice = await Client(server, exercise, token).connect()
    bob = await Client(server, exercise, server.facilitator_token(), fmt="json").connect()
    base = _row(alice, "I-2")["version"]
    assert _row(bob, "I-2")["version"] == base  # both open the dialog on the same version

    ack = await alice.ok("inject.edit", inject_id="I-2", changes={"title": "Alice's title"}, version=base)
    edited = await bob.event("inject.edited")
    assert edited["seq"] == ack["seq"]  # the version Bob's page now holds (projection.js)

    refused = await bob.command("inject.edit", inject_id="I-2", changes={"title": "Bob's title"}, version=base)
    assert (refused["type"], refused["code"]) == ("error", "conflict"), refused
    assert refused["changed"] == {"version": ack["seq"], "fields": ["title"], "current": {"title": "Alice's title"}}
    assert "title" in refused["message"]

    # Bob reapplies on the version he was told; Alice's page follows.
    again = await bob.ok("inject.edit", inject_id="I-2", changes={"body": "Bob's body"}, version=ack["seq"])
    assert (await alice.event("inject.edited"))["seq"] == again["seq"]

    # A 1.0 client (no version) still edits as before, and an error without a conflict has no `changed`.
    await bob.ok("inject.edit", inject_id="I-2", changes={"title": "No version"})
    wrong = await bob.command("inject.hold", inject_id="I-404")
    assert wrong["code"] == "not_found" and "changed" not in wrong

    fresh = await Client(server, exercise, token).connect()
    row = _row(fresh, "I-2")
    assert (row["inject"]["title"], row["inject"]["body"]) == ("No version", "Bob's body")
    assert row["version"] == fresh.last_seq
    for client in (alice, bob, fresh):
        await client.close()


async def test_two_facilitators_moving_one_feature_the_second_learns_of_the_first(server):
    exercise, _, token = server.open_exercise()
    alice = await Client(server, exercise, token).connect()
    bob = await Client(server, exercise, server.facilitator_token()).connect()
    assert bob.snapshot is not None
    base = next(f for f in bob.snapshot["cop"] if f["id"] == "town-bessa")["version"]
    moved = {"type": "Point", "coordinates": [31.05, 4.55]}
    ack = await alice.ok("cop.change", feature_id="town-bessa", set={"geometry": moved}, version=base)
    await bob.event("cop.feature_changed")
    refused = await bob.command("cop.change", feature_id="town-bessa",
                                set={"geometry": {"type": "Point", "coordinates": [31.0, 4.0]}}, version=base)
    assert refused["code"] == "conflict"
    assert refused["changed"] == {"version": ack["seq"], "fields": ["geometry"], "current": {"geometry": moved}}
    removed = await bob.command("cop.remove", feature_id="town-bessa", version=base)
    assert removed["code"] == "conflict"
    await bob.ok("cop.remove", feature_id="town-bessa", version=ack["seq"])
    for client in (alice, bob):
        await client.close()
