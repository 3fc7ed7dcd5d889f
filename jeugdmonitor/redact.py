"""What of a URL may be kept or shown. Secrets travel in URLs: a password in the userinfo or in a query parameter
(`?password=`), a Teams or Slack webhook's token in its path or query. So a URL is cut down before it reaches a log
line, a stored error or a delivery record (`scrubbed_url`), and masked before a person sees it (`masked_url`).

SQLAlchemy's `URL.render_as_string(hide_password=True)` hides the userinfo password only, not `?password=`, and
re-encodes the rest; `masked_url` keeps the URL as written and masks both.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit

INVALID = "(geen geldige URL)"
MASK = "***"
# Query parameter names that suggest a secret: password, passwd, pwd, secret, token, access_token, key, api_key,
# sig, signature, auth, credential... Too broad (sslkey, author) only hides a harmless value.
_SECRET_NAME = re.compile(r"pass|pwd|secret|token|key|sig|auth|credential", re.IGNORECASE)
# The userinfo as SQLAlchemy reads it: a user without ':' or '/', then a password that runs to the first '@' (so a
# password with an unencoded '/' or '?' is masked whole).
_PASSWORD = re.compile(r"^(?P<head>[A-Za-z][\w+.-]*://[^:/@]*):[^@]*@")


def scrubbed_url(url: str) -> str:
    """Scheme, host and port only: `https://x.webhook.office.com/webhookb2/…?sig=…` → `https://x.webhook.office.com`.
    For logs, exception messages and stored errors; never fails (a malformed URL gives INVALID)."""
    try:
        parts = urlsplit(str(url))
        host, port = parts.hostname, parts.port
    except ValueError:  # an unparseable IPv6 host or port
        return INVALID
    if not parts.scheme or not host:
        return INVALID
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def masked_url(url: str) -> str:
    """The URL for a person to read (config, db upgrade, run summary, Prefect artifact): the userinfo password and
    every query or fragment parameter with a secret-like name shown as ***, the rest as written."""
    url = _PASSWORD.sub(rf"\g<head>:{MASK}@", str(url), count=1)
    rest, hash_, fragment = url.partition("#")
    base, question, query = rest.partition("?")
    return f"{base}{question}{_mask_parameters(query)}{hash_}{_mask_parameters(fragment)}"


def _mask_parameters(text: str) -> str:
    def one(parameter: str) -> str:
        name, equals, _ = parameter.partition("=")
        return f"{name}={MASK}" if equals and _SECRET_NAME.search(unquote_plus(name)) else parameter

    return "&".join(one(p) for p in text.split("&")) if text else text
