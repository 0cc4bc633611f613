"""The HTTP/2 server and the other tools conn is compared with, for bench/run.py.

- `Counted` starts a bench server and reads its counters; `H2Server` starts bench/h2server.js (Node's http2: ALPN h2 and http/1.1) and reads its
  counters.
- `postman_collection` writes the same N token + probe pairs as a Postman collection, for
  Newman (installed under bench/ by run.sh: `npm ci --prefix bench`).
- `curl_pairs` is the shell command a curl user would write for the same N pairs, J at once.
"""

import json
import os
import shlex
import subprocess
import time
import urllib.request

BENCH = os.path.dirname(os.path.abspath(__file__))
NEWMAN = os.path.join(BENCH, "node_modules", ".bin", "newman")


class Counted:
    """A bench server started as `argv` (which writes its ports to `--ready`), with the
    counters of its control port."""

    def __init__(self, d, name, argv):
        self.ready = os.path.join(d, f"{name}.ports")
        self.proc = subprocess.Popen([*argv, "--ready", self.ready], stdout=subprocess.DEVNULL)
        for _ in range(200):
            if os.path.exists(self.ready):
                break
            time.sleep(0.05)
        with open(self.ready) as f:
            self.ports = json.load(f)
        self.https = f"https://127.0.0.1:{self.ports['https']}"

    def _ctl(self, method, path):
        req = urllib.request.Request(f"http://127.0.0.1:{self.ports['control']}{path}", method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.load(r)

    def reset(self):
        return self._ctl("POST", "/reset")

    def stats(self):
        return self._ctl("GET", "/stats")

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class H2Server(Counted):
    def __init__(self, d, name, delay, cert, key):
        super().__init__(d, name, ["node", os.path.join(BENCH, "h2server.js"), "--delay", str(delay), "--cert", cert,
                                   "--key", key])


def _status_test():
    return {"listen": "test", "script": {"type": "text/javascript", "exec": [
        "pm.test('200', () => pm.response.to.have.status(200));"]}}


def postman_collection(path, base, n, client_id, secret):
    """N token + probe pairs, in order: each probe carries the token its own POST got."""
    items = []
    for i in range(n):
        var = f"tok{i:04d}"
        token_test = _status_test()
        token_test["script"]["exec"].append(f"pm.collectionVariables.set('{var}', pm.response.json().access_token);")
        items.append({
            "name": f"p{i:04d} token",
            "event": [token_test],
            "request": {
                "method": "POST",
                "url": f"{base}/token",
                "auth": {"type": "basic", "basic": [{"key": "username", "value": client_id},
                                                     {"key": "password", "value": secret}]},
                "body": {"mode": "urlencoded", "urlencoded": [
                    {"key": "grant_type", "value": "client_credentials"}, {"key": "scope", "value": "bench.read"}]},
            },
        })
        items.append({
            "name": f"p{i:04d} probe",
            "event": [_status_test()],
            "request": {"method": "GET", "url": f"{base}/probe",
                        "header": [{"key": "Authorization", "value": f"Bearer {{{{{var}}}}}"}]},
        })
    coll = {
        "info": {"name": "conn bench: token + probe pairs",
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": items,
    }
    with open(path, "w") as f:
        json.dump(coll, f)
    return path


def newman(collection, cafile):
    """The Newman command line for a collection (HTTPS trusting the bench CA), quiet."""
    return [NEWMAN, "run", collection, "--ssl-extra-ca-certs", cafile, "--reporters", "cli",
            "--reporter-cli-no-summary", "--reporter-cli-no-banner", "--reporter-cli-no-success-assertions"]


def curl_pairs(base, n, jobs, client_id, secret, cafile):
    """N token + probe pairs with curl, J pairs at once (xargs -P): POST, read the token, GET."""
    q = shlex.quote
    common = f"curl -sS --fail --cacert {q(cafile)}"
    pair = (
        f"tok=$({common} -u {q(client_id + ':' + secret)} -d grant_type=client_credentials -d scope=bench.read "
        f"{q(base + '/token')} | sed -e 's/.*\"access_token\": *\"\\([^\"]*\\)\".*/\\1/') && "
        f"{common} -o /dev/null -H \"Authorization: Bearer $tok\" {q(base + '/probe')}"
    )
    return ["sh", "-c", f"seq {n} | xargs -P {jobs} -I{{}} sh -c {q(pair)}"]
