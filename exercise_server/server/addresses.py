"""The addresses the class can open the server at: its LAN addresses, not the loopback one the
facilitator's own browser may use (bug 5 of the UX review: the handout printed localhost)."""

from __future__ import annotations

import ipaddress
import socket

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
ANY_ADDRESS = ("0.0.0.0", "::", "")


def lan_hosts(listening: str) -> list[str]:
    """The hosts other machines reach a server listening on `listening` at; none when it listens on
    the loopback address only (the default: `--host 0.0.0.0` lets the class in)."""
    if listening in LOOPBACK_NAMES:
        return []
    if listening not in ANY_ADDRESS:
        return [listening]
    found: list[str] = []
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:  # the address of the route out (a UDP connect sends nothing)
        probe.connect(("192.0.2.1", 9))
        found.append(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    try:
        found += [str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    usable = [
        h for h in found if not ipaddress.ip_address(h).is_loopback and not ipaddress.ip_address(h).is_unspecified
    ]
    return list(dict.fromkeys(usable))


def lan_urls(listening: str, port: int) -> list[str]:
    return [f"http://{host}:{port}/" for host in lan_hosts(listening)]
