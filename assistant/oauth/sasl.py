"""The SASL initial responses that carry a bearer token: XOAUTH2 and OAUTHBEARER (RFC 7628)."""

from __future__ import annotations

import base64


def xoauth2(user: str, token: str) -> str:
    """Google's and Microsoft's XOAUTH2 initial response, base64-encoded."""
    return base64.b64encode(f"user={user}\x01auth=Bearer {token}\x01\x01".encode()).decode()


def oauthbearer(user: str, host: str, port: int, token: str) -> str:
    """The RFC 7628 OAUTHBEARER initial response with its GS2 header, base64-encoded."""
    authzid = user.replace("=", "=3D").replace(",", "=2C")
    message = f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01"
    return base64.b64encode(message.encode()).decode()
