"""Real servers on localhost for the alert channels: an SMTP server (aiosmtpd) and an HTTP server for webhooks."""

from __future__ import annotations

import json
import socket
import threading
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the aiosmtpd hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    """An SMTP server in a thread; `messages` are the parsed e-mails it received. With `login`, it also takes a
    login without TLS, as a careless relay would, and keeps every (user, password) it was sent in `logins`."""

    def __init__(self, login: bool = False) -> None:
        self.port = free_port()
        self._handler = _Collect()
        self.logins: list[tuple[str, str]] = []

        def authenticate(server, session, envelope, mechanism, auth_data):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=True)

        extra = {"authenticator": authenticate, "auth_require_tls": False} if login else {}
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port, **extra)

    @property
    def messages(self) -> list:
        return self._handler.messages

    def __enter__(self) -> SmtpServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()


class WebhookServer:
    """An HTTP server in a thread; `posts` are (path, JSON body) of every POST. Paths under /fail answer 500; with
    `max_bytes`, a body above it is answered 413 (Request Entity Too Large), as Teams and Slack do."""

    def __init__(self, max_bytes: int | None = None) -> None:
        posts: list[tuple[str, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                posts.append((self.path, json.loads(body.decode("utf-8"))))
                too_big = max_bytes is not None and len(body) > max_bytes
                self.send_response(413 if too_big else 500 if self.path.startswith("/fail") else 200)
                self.end_headers()
                self.wfile.write(b"1")

            def log_message(self, *args):
                pass

        self.posts = posts
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> WebhookServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
