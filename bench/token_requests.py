#!/usr/bin/env python3
"""What many users write instead of `conn token --no-cache`: a client-credentials POST with
`requests`, printing the access token.

    token_requests.py TOKEN_URL [CAFILE]
"""

import os
import sys

import requests

url = sys.argv[1]
verify = sys.argv[2] if len(sys.argv) > 2 else True
r = requests.post(
    url,
    data={"grant_type": "client_credentials"},
    auth=("bench-client", os.environ["BENCH_SECRET"]),
    verify=verify,
    timeout=10,
)
r.raise_for_status()
print(r.json()["access_token"])
