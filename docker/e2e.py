#!/usr/bin/env python3
"""End-to-end check of the compose stack, through its proxy, as an ISP owner, a captive page and a router would
use it. docker/ci-e2e.sh runs it after `docker-compose up`; standard library only.

    docker/e2e.py http://127.0.0.1:8000 docker-compose -p PROJECT -f docker/compose.yaml

The arguments after the URL are the docker-compose command of the running stack: the check reads the proxy's
access log (which instance answered each request, docker/proxy/nginx.conf) and kills an instance mid-run.
Exits non-zero with the failed step named.
"""
import json
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

BASE = sys.argv[1].rstrip("/")
COMPOSE = sys.argv[2:]
INSTANCES = ("app1", "app2")


class CheckFailed(Exception):
    pass


last_request_id = None  # the X-Request-Id of the latest answer
sent = 0  # API requests the proxy has passed on (from earlier use of the stack) or this check has sent it


def step(text):
    print(f"[e2e {time.strftime('%H:%M:%S')}] {text}", flush=True)


def call(method, path, body=None, headers=None, expect=200):
    """One request through the proxy; answers the decoded JSON body (or text). Any other status fails the check."""
    global sent, last_request_id
    sent += 1
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode()
            last_request_id = response.headers.get("X-Request-Id")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
        last_request_id = error.headers.get("X-Request-Id")
    if status != expect:
        raise CheckFailed(f"{method} {path}: expected {expect}, got {status}: {text[:500]}")
    try:
        return json.loads(text)
    except ValueError:
        return text


def compose(*args):
    return subprocess.run(COMPOSE + list(args), check=True, capture_output=True, text=True).stdout


def instance_addresses():
    """Each instance's address on the stack's network, as the proxy's log names it."""
    addresses = {}
    for service in INSTANCES:
        container = compose("ps", "-q", service).strip()
        address = subprocess.run(["docker", "inspect", "-f",
                                  "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", container],
                                 check=True, capture_output=True, text=True).stdout.strip()
        addresses[address] = service
    return addresses


LOG_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) \d+ '
                      r'upstream=(?P<upstream>[^ ]+(?:, [^ ]+)*) upstream_status')


def proxied(addresses):
    """
    API requests of this check the proxy passed on, oldest first: (method, path, status, instances tried). Waits
    until every request sent is in the log (docker collects it asynchronously), so the last line is the last request.
    """
    deadline = time.monotonic() + 10
    while True:
        requests = []
        for line in compose("logs", "--no-color", "proxy").splitlines():
            match = LOG_LINE.search(line)
            if not match or match["path"].startswith("/q/"):
                continue  # health checks (the proxy's own included) prove nothing about the API
            tried = [addresses.get(u.strip().rsplit(":", 1)[0], u.strip()) for u in match["upstream"].split(",")]
            requests.append((match["method"], match["path"], int(match["status"]), tried))
        if len(requests) >= sent:
            return requests
        if time.monotonic() > deadline:
            raise CheckFailed(f"the proxy logged {len(requests)} API requests, {sent} were sent")
        time.sleep(0.2)


def served_by(addresses, method, path_part):
    """The instance that answered the latest such request (the last one tried)."""
    for method_seen, path, _, tried in reversed(proxied(addresses)):
        if method_seen == method and path_part in path:
            return tried[-1]
    raise CheckFailed(f"the proxy logged no {method} {path_part}")


def poll_list(router_id, poll_token):
    """The router's live list, as its poll script fetches it (docs/poll-protocol.md), in the JSON form."""
    answer = call("GET", f"/routers/{router_id}/authorized-macs/",
                  headers={"Authorization": f"Bearer {poll_token}"})
    return {grant["mac_address"] for grant in answer["grants"]}


def wait_for_mac(router_id, poll_token, mac, seconds=15):
    deadline = time.monotonic() + seconds
    while mac not in poll_list(router_id, poll_token):
        if time.monotonic() > deadline:
            raise CheckFailed(f"{mac} not in router {router_id}'s poll list after {seconds}s")
        time.sleep(0.5)


def instance_metrics(service):
    """An instance's /q/metrics, read inside its container (the proxy does not serve it)."""
    return compose("exec", "-T", service, "curl", "-fsS", "http://127.0.0.1:8000/q/metrics")


def metric(text, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`, in Prometheus' text format."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def check_metrics_and_logs():
    """Metrics count the completed payment and are not served by the proxy; JSON log lines carry request ids."""
    try:
        urllib.request.urlopen(BASE + "/q/metrics", timeout=10)
        raise CheckFailed("the proxy serves /q/metrics")
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise CheckFailed(f"/q/metrics through the proxy: expected 404, got {error.code}")
    succeeded = sum(metric(instance_metrics(s), "hotspot_payments_total", outcome="succeeded") for s in INSTANCES)
    if succeeded < 1:
        raise CheckFailed(f"hotspot_payments_total{{outcome=succeeded}} is {succeeded} on both instances together")
    step(f"metrics: {succeeded:.0f} payment(s) succeeded across both instances; /q/metrics not served by the proxy")

    # A callback to a URL no credential has is refused and logged: its log line must carry the answer's request id.
    call("POST", f"/payments/webhook/intasend/{uuid.uuid4().hex * 2}/", {"invoice_id": "X", "state": "COMPLETE"},
         expect=404)
    request_id = last_request_id
    if not request_id:
        raise CheckFailed("the answer has no X-Request-Id")
    deadline = time.monotonic() + 10
    while True:
        for line in compose("logs", "--no-color", *INSTANCES).splitlines():
            text = line.split("| ", 1)[-1]
            if request_id not in text:
                continue
            try:
                record = json.loads(text)
            except ValueError:
                raise CheckFailed(f"a log line with the request id is not JSON: {text[:300]}")
            if record.get("mdc", {}).get("request_id") == request_id and "unknown callback token" in record.get(
                    "message", ""):
                step(f"JSON log line of request {request_id}: {record['loggerName']} {record['level']}")
                return
        if time.monotonic() > deadline:
            raise CheckFailed(f"no JSON log line with request_id {request_id} in the instances' logs")
        time.sleep(0.5)


def random_mac():
    return "02:" + ":".join(f"{random.randrange(256):02X}" for _ in range(5))


def phone():
    return "07" + f"{random.randrange(100_000_000):08d}"


def main():
    global sent
    addresses = instance_addresses()
    sent = len(proxied(addresses))
    step(f"instances: {', '.join(f'{s} at {a}' for a, s in sorted(addresses.items()))}")

    username = "e2e_" + uuid.uuid4().hex[:10]
    password = "e2e-" + uuid.uuid4().hex
    registered = call("POST", "/users/register/", {"username": username, "email": f"{username}@isp.example",
                                                   "password": password}, expect=201)
    public_key = registered["api_key"]["public_key"]
    tokens = call("POST", "/users/login/", {"username": username, "password": password})
    owner = {"Authorization": "Bearer " + tokens["access_token"]}
    portal = {"X-Public-Key": public_key}
    step(f"owner {username} registered and logged in (JWT)")

    router = call("POST", "/routers/", {"name": "e2e router", "host": "192.0.2.10", "port": 8728,
                                        "username": "billing", "password": "router-pw", "delivery": "poll"},
                  headers=owner, expect=201)
    router_id, poll_token = router["id"], router["poll_token"]
    plan = call("POST", "/routers/packages/", {"name": "1 Hour", "router": router_id, "package_type": "hourly",
                                               "duration_hours": 1, "price": "20.00", "download_speed_mbps": 5,
                                               "upload_speed_mbps": 2}, headers=owner, expect=201)
    call("POST", "/payments/credentials/", {"provider": "instasend", "api_key": "sim-public-key",
                                            "private_key": "sim-private-key", "environment": "simulator"},
         headers=owner, expect=201)
    step(f"router {router_id} (poll delivery), package {plan['id']}, simulator credential")

    def purchase(mac):
        answer = call("POST", "/payments/initiate/", {"router_id": router_id, "package_id": plan["id"],
                                                      "phone_number": phone(), "amount": "20.00",
                                                      "mac_address": mac}, headers=portal, expect=201)
        return answer["payment"]["id"]

    def pay(payment_id):
        call("POST", f"/payments/{payment_id}/simulate-callback/", {"result_code": 0}, headers=owner)
        status = call("POST", f"/payments/{payment_id}/check-status/", headers=portal)
        if status["status"] != "completed":
            raise CheckFailed(f"payment {payment_id} is {status['status']} after a successful callback")

    first_mac = random_mac()
    first = purchase(first_mac)
    pay(first)
    step(f"payment {first} for {first_mac}: initiated by the portal, paid, completed")

    wait_for_mac(router_id, poll_token, first_mac)
    # Every poll from here on must list the MAC, whichever instance answers it (each keeps the lists in memory,
    # kept right by PostgreSQL notifications).
    for _ in range(8):
        if first_mac not in poll_list(router_id, poll_token):
            raise CheckFailed(f"a poll lost {first_mac} again")
    polls = [tried[-1] for method, path, status, tried in proxied(addresses)
             if method == "GET" and f"/routers/{router_id}/authorized-macs/" in path and status == 200]
    answered = {instance: sum(1 for p in polls[-8:] if p == instance) for instance in INSTANCES}
    step(f"{first_mac} in the router's poll list; the last 8 polls answered by {answered}")
    if not all(answered.values()):
        raise CheckFailed(f"the poll list was not served by both instances: {answered}")

    check_metrics_and_logs()

    all_requests = [tried[-1] for _, _, _, tried in proxied(addresses)]
    per_instance = {instance: all_requests.count(instance) for instance in INSTANCES}
    step(f"API requests per instance so far (proxy log): {per_instance}")
    if not all(per_instance.values()):
        raise CheckFailed(f"both instances must answer API requests: {per_instance}")

    # A payment in flight (the STK push sent, the customer not yet paid) when the instance that started it dies.
    second_mac = random_mac()
    second = purchase(second_mac)
    victim = served_by(addresses, "POST", "/payments/initiate/")
    survivor = next(instance for instance in INSTANCES if instance != victim)
    compose("kill", victim)
    step(f"payment {second} initiated through {victim}; {victim} killed (SIGKILL) before the customer paid")
    pay(second)
    callback_by = served_by(addresses, "POST", f"/payments/{second}/simulate-callback/")
    if callback_by != survivor:
        raise CheckFailed(f"the callback was answered by {callback_by}, not by the surviving {survivor}")
    wait_for_mac(router_id, poll_token, second_mac)
    listed = call("GET", "/payments/?status=completed", headers=owner)
    ids = {payment["id"] for payment in listed["results"]}
    if not {first, second} <= ids:
        raise CheckFailed(f"completed payments listed {sorted(ids)}, expected {first} and {second}")
    step(f"payment {second} paid through {survivor}, completed, listed, and {second_mac} in the poll list")
    step("end-to-end check passed")


if __name__ == "__main__":
    try:
        main()
    except (CheckFailed, subprocess.CalledProcessError, urllib.error.URLError, KeyError) as failure:
        detail = failure.stderr if isinstance(failure, subprocess.CalledProcessError) else ""
        print(f"[e2e] FAILED: {failure!r} {detail}", file=sys.stderr, flush=True)
        sys.exit(1)
