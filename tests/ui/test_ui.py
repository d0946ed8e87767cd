"""Browser tests of Weir's web UI (issue 11), in headless Chromium driven by
Playwright (sync API) with Debian's chromium (executable_path).

Against a running `weir serve` that serves the UI at WEIR_UI_BASE and runs WEIR_UI_JOB on the embedded broker:

    WEIR_UI_BASE=http://127.0.0.1:8090/ WEIR_UI_JOB=clicks-per-user WEIR_UI_RECORDS=5000 \
    WEIR_UI_BOOTSTRAP=127.0.0.1:PORT pytest -v tests/ui/test_ui.py

tests/ui/run.sh starts all of that and runs this file.

Environment:
  WEIR_UI_BASE       the UI's URL (the API at the same root)                 required
  WEIR_UI_JOB        the job already running                                 clicks-per-user
  WEIR_UI_RECORDS    events written to its input: its records in must equal  required
  WEIR_UI_BOOTSTRAP  the broker, to write a dead letter holding <script>     (that test skips without it)
  WEIR_UI_INPUT_TOPIC / WEIR_UI_SINK_TOPIC   topics of the pipelines the tests submit   input-topic / output-topic
  WEIR_UI_ARTIFACTS  where screenshots and results.json go                   /tmp/weir-ui-artifacts
  WEIR_UI_CHROMIUM   the browser                                             /usr/bin/chromium
  WEIR_UI_PERF_JOBS  jobs running for the render-time measure                20
"""
import json, os, re, threading, time, urllib.error, urllib.request, uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import sync_playwright, expect

import prefix_proxy

BASE = os.environ.get("WEIR_UI_BASE", "").rstrip("/") + "/"
JOB = os.environ.get("WEIR_UI_JOB", "clicks-per-user")
RECORDS = int(os.environ.get("WEIR_UI_RECORDS", "0"))
BOOTSTRAP = os.environ.get("WEIR_UI_BOOTSTRAP")
INPUT = os.environ.get("WEIR_UI_INPUT_TOPIC", "input-topic")
SINK = os.environ.get("WEIR_UI_SINK_TOPIC", "output-topic")
ARTIFACTS = os.environ.get("WEIR_UI_ARTIFACTS", "/tmp/weir-ui-artifacts")
CHROMIUM = os.environ.get("WEIR_UI_CHROMIUM", "/usr/bin/chromium")
PERF_JOBS = int(os.environ.get("WEIR_UI_PERF_JOBS", "20"))
TZ = "Asia/Kolkata"          # a viewer's zone that is not the server's (UTC): watermarks must be shown in it
RUN = uuid.uuid4().hex[:6]   # names of the jobs this run submits
RESULTS = {}
PAGES = {"overview": "#/overview", "jobs": "#/jobs", "job": f"#/job/{JOB}", "submit": "#/submit"}

pytestmark = pytest.mark.skipif(not os.environ.get("WEIR_UI_BASE"), reason="WEIR_UI_BASE not set (tests/ui/run.sh sets it)")


# ---------------------------------------------------------------- helpers

def http(method, path, body=None, ctype=None, base=BASE):
    req = urllib.request.Request(base + path.lstrip("/"), data=body, method=method,
                                 headers={"Content-Type": ctype} if ctype else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw and "json" in (r.headers.get("Content-Type") or "") else raw)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, raw


def get(path):
    status, body = http("GET", path)
    assert status == 200, f"GET {path}: {status} {body}"
    return body


def wait_until(fn, timeout=60, interval=0.5, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except AssertionError as e:
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last})")


def digits(text):
    return int(re.sub(r"[^\d]", "", text) or "-1")


def shot(page, name, full=True):
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=full)


def pipeline(name, filter_expr="event == 'click'"):
    return (f"name: {name}\n"
            f"source:\n  kafka:\n    topic: {INPUT}\n    startFrom: earliest\n  format: json\n"
            f"steps:\n  - filter: \"{filter_expr}\"\n  - select: [user_id, event, amount]\n"
            f"sink:\n  kafka:\n    topic: {SINK}\n  format: json\n")


class Console:
    """Every console error and uncaught exception of a page, less the failed requests a test expects (`allow`)."""

    def __init__(self, page, allow=()):
        self.errors = []
        self.allow = allow
        page.on("console", self.on_console)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def on_console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "Failed to load resource" in msg.text and any(a in msg.text or a in url for a in self.allow):
            return
        self.errors.append(f"{msg.text} ({url})")

    def check(self):
        assert not self.errors, "console errors:\n" + "\n".join(self.errors)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()
    os.makedirs(ARTIFACTS, exist_ok=True)
    with open(os.path.join(ARTIFACTS, "results.json"), "w") as f:
        json.dump(RESULTS, f, indent=2)
    print("\nUI results:", json.dumps(RESULTS, indent=2))


@pytest.fixture()
def ctx(browser):
    c = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ, locale="en-US")
    yield c
    c.close()


def open_page(ctx, url, allow=()):
    page = ctx.new_page()
    console = Console(page, allow)
    page.goto(url)
    return page, console


def job_info(name=JOB):
    return get(f"jobs/{name}")


# ---------------------------------------------------------------- pages

def test_overview_shows_real_numbers(ctx):
    page, console = open_page(ctx, BASE + PAGES["overview"])
    running = page.locator('[data-tile="running"]')
    expect(running).to_have_text(re.compile(r"^\d+$"))
    assert digits(running.inner_text()) >= 1
    expect(page.locator('[data-tile="version"]')).to_have_text(re.compile(r"\d+\.\d+"))
    expect(page.locator('[data-tile="tasks"]')).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator('[data-tile="uptime"]')).to_have_text(re.compile(r"\d"))   # from /overview's start-time
    # The service group's instances, from their heartbeats in the jobs topic: this one.
    expect(page.locator('[data-tile="instances"]')).to_have_text("1")
    expect(page.locator("table.instances-table tbody tr")).to_have_count(1)
    expect(page.locator("table.instances-table tbody tr")).to_contain_text("ui (this one)")
    # Rates need two samples (2 s apart).
    expect(page.locator('[data-tile="in"]')).to_have_text(re.compile(r"\d.*/s$"), timeout=15000)
    expect(page.locator("table.data tbody tr", has_text=JOB)).to_have_count(1)
    expect(page.locator("#live")).to_contain_text("updated")
    shot(page, "overview")
    console.check()


def test_jobs_page_sorts_and_filters(ctx):
    page, console = open_page(ctx, BASE + PAGES["jobs"])
    table = page.locator("table.jobs-table")
    expect(table.locator("tbody tr", has_text=JOB)).to_have_count(1)
    row = table.locator("tbody tr", has_text=JOB)
    expect(row.locator('[data-col="restarts"]')).to_have_text(re.compile(r"^\d+$"), timeout=10000)
    expect(row.locator('[data-col="lagRecords"]')).to_have_text(re.compile(r"^[\d,]+$"))
    expect(row.locator('[data-col="inRate"]')).to_have_text(re.compile(r"/s$"), timeout=15000)
    # Sort by name, both ways (keyboard: Enter on the header button).
    header = table.locator('th[data-key="name"]')
    header.locator("button").focus()
    page.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    names = table.locator('tbody td[data-col="name"]').all_inner_texts()
    assert names == sorted(names, key=str.lower, reverse=True) or len(names) < 2
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    # Filter by name, then by a state that matches nothing of it.
    page.fill("#jobs-filter", JOB)
    expect(table.locator("tbody tr")).to_have_count(1)
    page.select_option("#jobs-state", "FAILED")
    expect(table.locator("tbody td.empty")).to_have_count(1)
    page.select_option("#jobs-state", "")
    page.fill("#jobs-filter", "")
    shot(page, "jobs")
    console.check()


def test_job_page_numbers_graph_partitions_tabs(ctx):
    info = job_info()
    jid = info["jid"]
    page, console = open_page(ctx, BASE + PAGES["job"])
    expect(page.locator("h1.job-title")).to_have_text(JOB)
    # Records in: the events written, exactly.
    records_in = page.locator('[data-tile="in"]')
    expect(records_in).to_have_text(re.compile(r"^\d[\d,]*$"))
    wait_until(lambda: digits(records_in.inner_text()) == RECORDS, 90, what=f"records in = {RECORDS} (shown {records_in.inner_text()})")
    assert info["vertices"][0]["metrics"]["read-records"] == RECORDS or job_info()["vertices"][0]["metrics"]["read-records"] == RECORDS
    # The operator graph: source, steps, sink, dead-letter and late-data outputs, coloured by load.
    graph = page.locator("svg.graph-svg")
    expect(graph).to_be_visible()
    expect(graph.locator('g[data-role="source"]')).to_contain_text("input-topic")
    expect(graph.locator('g[data-role="sink"]')).to_have_count(1)
    expect(page.locator('table.stages-table tbody tr')).to_have_count(len(info["vertices"]))
    expect(page.locator('table.stages-table td[data-col="busy"]').first).to_have_text(re.compile(r"%$"), timeout=15000)
    assert "load-" in graph.locator('g[data-role="sink"]').get_attribute("class")
    expect(graph.locator('g[data-role="dlq"]')).to_contain_text("clicks-dlq")
    expect(graph.locator('g[data-role="late"]')).to_contain_text("clicks-late")
    expect(graph.locator('g[data-role="step"]')).to_have_count(4)  # filter, keyBy, window, aggregate
    # Charts: three of them, with samples.
    expect(page.locator("figure.chart")).to_have_count(3)
    expect(page.locator("#chart-rates path.line").first).to_be_attached(timeout=20000)
    expect(page.locator(".charts p.muted")).to_contain_text("Kept by the server")
    shot(page, "job")

    # Partitions: lag reaches 0 once the input is drained; watermarks as dates in the viewer's zone.
    page.get_by_role("tab", name="Partitions").click()
    rows = page.locator("table.partitions-table tbody tr")
    expect(rows.first).to_be_visible()
    lag_cells = page.locator('table.partitions-table td[data-col="lagRecords"]')
    wait_until(lambda: lag_cells.count() > 0 and all(t == "0" for t in lag_cells.all_inner_texts()), 90,
               what="every partition's lag at 0")
    wm = get(f"jobs/{jid}/watermarks")
    p0 = next(p for p in wm["partitions"] if p["watermark"] is not None)
    local = datetime.fromtimestamp(p0["watermark"] / 1000, ZoneInfo(TZ))
    want = local.strftime("%Y-%m-%d %H:%M:%S") + f".{p0['watermark'] % 1000:03d}"
    row = rows.filter(has=page.locator('td[data-col="partition"]', has_text=re.compile(rf"^{p0['partition']}$"))).filter(has_text=p0["topic"])
    wait_until(lambda: row.locator('td[data-col="watermark"]').inner_text().startswith(want), 20,
               what=f"watermark of partition {p0['partition']} shown as {want} ({TZ})")
    assert "GMT+5:30" in row.locator('td[data-col="watermark"]').inner_text()
    shot(page, "job-partitions")

    page.get_by_role("tab", name="Checkpoints").click()
    expect(page.locator("#panel-checkpoints .counts")).to_contain_text("completed")
    expect(page.locator("#panel-checkpoints .restored")).not_to_be_empty()
    expect(page.locator('#panel-checkpoints td[data-col="pause"]').first).to_have_text(re.compile(r"\d.*(ms|s)$"))
    shot(page, "job-checkpoints")

    page.get_by_role("tab", name="Exceptions").click()
    expect(page.locator("#panel-exceptions")).to_contain_text("restart(s)")
    shot(page, "job-exceptions")

    page.get_by_role("tab", name="Dead letters").click()
    dls = get(f"jobs/{jid}/dead-letters")["dead-letters"]
    assert dls, "the generator writes a malformed record every 200: the job must have dead letters"
    expect(page.locator("table.dead-letters-table tbody tr").first).to_contain_text(dls[0]["reason"][:40])
    expect(page.locator("table.dead-letters-table code.preview").first).not_to_be_empty()
    shot(page, "job-dead-letters")

    page.get_by_role("tab", name="Pipeline").click()
    expect(page.locator("#panel-pipeline")).to_contain_text(f"name: {JOB}")
    shot(page, "job-pipeline")
    # Keyboard: arrow keys move between tabs.
    page.get_by_role("tab", name="Checkpoints").focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("tab", name="Exceptions")).to_be_focused()
    expect(page.get_by_role("tab", name="Exceptions")).to_have_attribute("aria-selected", "true")
    console.check()


def test_repartitioned_pipeline_shows_both_stages(ctx):
    """A keyBy the source is not keyed by goes through a repartition topic: two
    stages (Flink's vertices) joined by the topic node, both with their figures."""
    name = f"ui-repart-{RUN}"
    text = (f"name: {name}\nsource:\n  kafka:\n    topic: {INPUT}\n    startFrom: earliest\n  format: json\n"
            "time:\n  eventTime: {field: ts, format: epochMillis}\n  watermark: {maxOutOfOrderness: 2s}\n"
            "steps:\n  - filter: \"event == 'click'\"\n  - keyBy: [user_id]\n  - window: {tumbling: 1m}\n"
            f"  - aggregate:\n      clicks: count()\nsink:\n  kafka:\n    topic: {SINK}\n  format: json\n")
    status, ans = http("POST", "jobs?parallelism=1", text.encode(), "application/yaml")
    assert status == 200, ans
    try:
        page, console = open_page(ctx, BASE + f"#/job/{name}")
        expect(page.locator(".job-state")).to_have_text("RUNNING", timeout=30000)
        graph = page.locator("svg.graph-svg")
        expect(graph.locator('g[data-role="topic"]')).to_contain_text("Repartition topic")
        expect(graph.locator('g[data-role="topic"]')).to_contain_text("repartition")
        expect(page.locator("table.stages-table tbody tr")).to_have_count(2)
        # The first stage reads every event of the input.
        first_in = page.locator('table.stages-table tbody tr').first.locator("td").nth(2)
        wait_until(lambda: digits(first_in.inner_text()) == RECORDS, 90,  # (runs before the test that adds a record)
                   what=f"stage 1 reads {RECORDS} records (shows {first_in.inner_text()})")
        shot(page, "job-repartitioned")
        console.check()
    finally:
        http("PATCH", f"jobs/{name}?mode=cancel")


def test_dead_letter_with_script_shows_as_text(ctx):
    if not BOOTSTRAP:
        pytest.fail("WEIR_UI_BOOTSTRAP not set: the test cannot write the record (tests/ui/run.sh sets it)")
    from confluent_kafka import Producer
    marker = f"xss-{RUN}"
    value = f'<script>window.__weirPwned="{marker}"</script><img src=x onerror="window.__weirPwned=\'{marker}\'">{{"event":'
    p = Producer({"bootstrap.servers": BOOTSTRAP})
    p.produce(INPUT, value=value.encode(), key=b"u-xss")
    assert p.flush(30) == 0
    jid = job_info()["jid"]
    wait_until(lambda: any(marker in d["preview"] for d in get(f"jobs/{jid}/dead-letters")["dead-letters"]), 60,
               what="the <script> record among the dead letters")
    page, console = open_page(ctx, BASE + f"#/job/{JOB}/dead-letters")
    cell = page.locator("table.dead-letters-table code.preview", has_text=marker)
    expect(cell).to_have_count(1, timeout=15000)
    assert cell.inner_text().startswith("<script>window.__weirPwned=")
    assert page.locator("#main script").count() == 0
    assert page.locator("#main table img").count() == 0
    page.wait_for_timeout(2500)  # a refresh later, still text
    assert page.evaluate("window.__weirPwned") is None
    expect(cell).to_contain_text("<img src=x onerror=")
    shot(page, "job-dead-letter-script")
    console.check()


def test_submit_broken_then_fixed(ctx):
    name = f"ui-submit-{RUN}"
    broken = pipeline(name, "amount >")
    status, v = http("POST", "jobs/validate", broken.encode(), "application/yaml")
    assert status == 200 and not v["valid"], v
    err = next(d for d in v["diagnostics"] if d["severity"] == "error")
    where = f"{err['line']}:{err['column']}"

    page, console = open_page(ctx, BASE + PAGES["submit"], allow=("400",))
    page.fill("#pipeline-text", broken)
    loc = page.locator("#diagnostics li.diag-error .loc", has_text=where)
    expect(loc).to_have_count(1, timeout=10000)
    expect(page.locator("#diagnostics")).to_contain_text(err["message"][:30])
    expect(page.locator(".gutter .ln-error", has_text=re.compile(rf"^{err['line']}$"))).to_have_count(1)
    expect(page.locator(".marks .mark-error").first).to_be_attached()
    expect(page.locator("#validation-summary")).to_contain_text("error")
    # Going to the diagnostic puts the caret at line:column.
    page.locator("#diagnostics li.diag-error button").first.click()
    caret = page.evaluate("document.getElementById('pipeline-text').selectionStart")
    lines = broken.split("\n")
    assert caret == sum(len(l) + 1 for l in lines[: err["line"] - 1]) + err["column"] - 1
    shot(page, "submit-error")
    # Submitting it anyway: refused with the same diagnostic.
    page.click("#submit-button")
    expect(page.locator("#submit-result")).to_contain_text("Not submitted (400)")
    expect(page.locator("#diagnostics .loc", has_text=where)).to_have_count(1)

    page.fill("#pipeline-text", pipeline(name))
    expect(page.locator("#validation-summary")).to_contain_text(f"Valid: job {name}", timeout=10000)
    expect(page.locator("#diagnostics li.diag-error")).to_have_count(0)
    page.fill("#parallelism", "1")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"#/job/[0-9a-f]{32}$"), timeout=30000)
    expect(page.locator("h1.job-title")).to_have_text(name)
    expect(page.locator(".job-state")).to_have_text("RUNNING", timeout=30000)
    RESULTS["submitted job"] = name
    shot(page, "submit-landed")
    console.check()


def test_savepoint_from_job_page(ctx):
    page, console = open_page(ctx, BASE + PAGES["job"])
    expect(page.locator(".job-state")).to_have_text("RUNNING", timeout=30000)
    button = page.locator("#action-savepoint")
    expect(button).to_be_enabled()
    started = time.time()
    button.click()
    expect(page.locator("#action-status")).to_contain_text("Savepoint", timeout=5000)
    location = page.locator("#action-status code.savepoint-location")
    expect(location).to_be_visible(timeout=150000)
    text = location.inner_text()
    assert text.startswith("/") and "savepoint-" in text, text
    RESULTS["savepoint"] = {"location": text, "seconds": round(time.time() - started, 1)}
    shot(page, "job-savepoint")
    console.check()


def test_stop_with_savepoint(ctx):
    name = f"ui-stop-{RUN}"
    status, ans = http("POST", "jobs?parallelism=1", pipeline(name).encode(), "application/yaml")
    assert status == 200, ans
    # Clicked as soon as the job shows RUNNING: the server answers 409 until its
    # tasks hold their partitions, and the page waits for that (the 409s are expected).
    page, console = open_page(ctx, BASE + f"#/job/{name}", allow=("409",))
    expect(page.locator(".job-state")).to_have_text("RUNNING", timeout=30000)
    page.click("#action-stop")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Stop {name} with a savepoint?")
    dialog.locator("button.confirm").click()
    location = page.locator("#action-status code.savepoint-location")
    expect(location).to_be_visible(timeout=150000)
    assert "savepoint-" in location.inner_text()
    expect(page.locator(".job-state")).to_have_text("FINISHED", timeout=60000)
    expect(page.locator("#action-stop")).to_be_disabled()
    shot(page, "job-stopped")
    console.check()


def test_cancel_with_confirmation(ctx):
    name = RESULTS.get("submitted job")
    if not name:
        name = f"ui-cancel-{RUN}"
        status, ans = http("POST", "jobs?parallelism=1", pipeline(name).encode(), "application/yaml")
        assert status == 200, ans
    page, console = open_page(ctx, BASE + f"#/job/{name}")
    expect(page.locator(".job-state")).to_have_text("RUNNING", timeout=30000)
    page.click("#action-cancel")
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Cancel {name}?")
    expect(dialog.locator("button.keep")).to_be_focused()   # the safe answer has the focus
    shot(page, "job-cancel-confirm", full=False)
    page.keyboard.press("Escape")                            # Escape says no
    expect(dialog).to_have_count(0)
    expect(page.locator("#action-status")).to_contain_text("Cancel not sent")
    assert get(f"jobs/{name}")["state"] == "RUNNING"
    page.click("#action-cancel")
    page.locator("dialog[open] button.confirm").click()
    expect(page.locator("#action-status")).to_contain_text("Cancel sent")
    expect(page.locator(".job-state")).to_have_text("CANCELED", timeout=60000)
    assert get(f"jobs/{name}")["state"] == "CANCELED"
    expect(page.locator("#action-cancel")).to_be_disabled()
    shot(page, "job-canceled")
    console.check()


# ---------------------------------------------------------------- prefix, token, narrow, keyboard

@pytest.fixture(scope="module")
def proxies():
    srv = prefix_proxy.serve(BASE, "/flink")
    tok = prefix_proxy.serve(BASE, "/flink", token="s3cret-ui-token")
    for s in (srv, tok):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/flink", f"http://127.0.0.1:{tok.server_address[1]}/flink"
    srv.shutdown(); tok.shutdown()


@pytest.mark.parametrize("slash", ["/", ""])
def test_under_path_prefix(ctx, proxies, slash):
    root = proxies[0] + slash
    page, console = open_page(ctx, root)
    expect(page.locator('[data-tile="running"]')).to_have_text(re.compile(r"^\d+$"))
    assert page.url.startswith(proxies[0] + "/"), page.url  # the trailing slash is put back, so relative URLs resolve under it
    page.click("nav >> text=Jobs")
    expect(page.locator("table.jobs-table tbody tr", has_text=JOB)).to_have_count(1)
    page.locator("table.jobs-table a", has_text=re.compile(rf"^{re.escape(JOB)}$")).click()
    expect(page.locator('[data-tile="in"]')).to_have_text(re.compile(r"^\d[\d,]*$"))
    assert digits(page.locator('[data-tile="in"]').inner_text()) >= RECORDS
    expect(page.locator("svg.graph-svg")).to_be_visible()
    page.get_by_role("tab", name="Dead letters").click()
    expect(page.locator("table.dead-letters-table tbody tr").first).to_be_visible()
    if slash:
        # An action under the prefix: a savepoint.
        page.click("#action-savepoint")
        expect(page.locator("#action-status code.savepoint-location")).to_be_visible(timeout=150000)
    shot(page, f"prefix-job{'-slash' if slash else ''}")
    page.click("nav >> text=Submit")
    page.fill("#pipeline-text", pipeline(f"ui-prefix-{RUN}", "amount >"))
    expect(page.locator("#diagnostics li.diag-error .loc")).to_have_count(1, timeout=10000)
    shot(page, f"prefix-submit{'-slash' if slash else ''}")
    # Every request stayed under the prefix (a request that escaped it would have 404ed at the proxy).
    console.check()


def test_token_prompt_on_401(ctx, proxies):
    root = proxies[1] + "/"
    page, console = open_page(ctx, root + "#/jobs", allow=("401",))
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("API token")
    expect(page.locator("#token-input")).to_be_focused()
    shot(page, "token-prompt", full=False)
    page.fill("#token-input", "wrong")
    page.keyboard.press("Enter")
    expect(page.locator("dialog[open]")).to_contain_text("refused")
    page.fill("#token-input", "s3cret-ui-token")
    page.keyboard.press("Enter")
    expect(page.locator("table.jobs-table tbody tr", has_text=JOB)).to_have_count(1)
    assert page.evaluate("sessionStorage.getItem('weir.token')") == "s3cret-ui-token"
    expect(page.locator("#token-button")).to_be_visible()
    console.check()


def test_keyboard_navigation(ctx):
    page, console = open_page(ctx, BASE + PAGES["overview"])
    expect(page.locator('[data-tile="running"]')).to_have_text(re.compile(r"^\d+$"))
    page.keyboard.press("Tab")
    expect(page.locator("#skip-link")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Overview, then Jobs
    expect(page.locator('nav a[data-nav="jobs"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("table.jobs-table")).to_be_visible()
    expect(page.locator('nav a[data-nav="jobs"]')).to_have_attribute("aria-current", "page")
    # Every form control on the submit page has a label.
    page.goto(BASE + PAGES["submit"])
    expect(page.locator("#pipeline-text")).to_be_visible()
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(e => !e.labels || !e.labels.length).map(e => e.id || e.name || e.type)""")
    assert unlabelled == [], unlabelled
    console.check()


def test_narrow_window(browser):
    c = browser.new_context(viewport={"width": 390, "height": 800}, timezone_id=TZ, locale="en-US")
    try:
        for name, frag in PAGES.items():
            page, console = open_page(c, BASE + frag)
            page.wait_for_selector("main .page")
            page.wait_for_timeout(2500)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: the page is {overflow}px wider than a 390px window (tables and the graph scroll inside their own boxes)"
            shot(page, f"narrow-{name}")
            console.check()
            page.close()
    finally:
        c.close()


def test_first_load_under_150kb(browser):
    sizes = {}
    for name, frag in PAGES.items():
        c = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ)
        page = c.new_page()
        page.goto(BASE + frag)
        page.wait_for_selector("main .page")
        page.wait_for_timeout(1500)  # the first poll's answers
        total = page.evaluate("""() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const res = performance.getEntriesByType('resource');
            const size = (e) => e.transferSize || e.encodedBodySize || 0;
            return size(nav) + res.reduce((a, e) => a + size(e), 0);
        }""")
        files = page.evaluate("performance.getEntriesByType('resource').filter(e => /\\.(js|css)$/.test(e.name)).length")
        sizes[name] = {"bytes": total, "asset files": files}
        c.close()
        assert total < 150 * 1024, f"{name}: first load {total} bytes"
    RESULTS["first load (bytes transferred, assets and API answers)"] = sizes


def test_jobs_page_with_20_jobs_renders_fast(browser):
    def running():
        return [j for j in get("jobs/overview")["jobs"] if j["state"] == "RUNNING"]
    submitted = []
    n = 0
    while len(running()) < PERF_JOBS:
        name = f"ui-perf-{RUN}-{n:02d}"
        n += 1
        status, ans = http("POST", "jobs?parallelism=1", pipeline(name).encode(), "application/yaml")
        assert status == 200, ans
        submitted.append(name)
    wait_until(lambda: len(running()) >= PERF_JOBS, 120, what=f"{PERF_JOBS} running jobs")
    # Steady state: every job has read its input (the 20 just started would otherwise
    # be joining their groups and reading 5,000 records each while the page loads).
    def caught_up():
        jobs = [j for j in get("jobs/overview")["jobs"] if j["name"] in submitted and j["state"] == "RUNNING"]
        return len(jobs) == len(submitted) and all(j["figures"]["read-records"] >= RECORDS and j["figures"].get("lag-records") == 0 for j in jobs)
    wait_until(caught_up, 120, what="the submitted jobs caught up with their input")
    times = []
    c = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=TZ)
    try:
        for i in range(4):
            page = c.new_page()
            console = Console(page)
            page.goto(BASE + PAGES["jobs"])
            page.wait_for_selector("html[data-jobs-rendered]", state="attached", timeout=30000)
            # One request (GET /jobs/overview) fills the table: rows with state, uptime, lag, restarts.
            shown = page.evaluate("Math.round(performance.getEntriesByName('weir-jobs-rows')[0].startTime)")
            filled = page.locator('table.jobs-table td[data-col="restarts"]').all_inner_texts()
            assert all(re.fullmatch(r"\d+", x) for x in filled), filled
            rows = page.locator("table.jobs-table tbody tr").count()
            assert rows >= PERF_JOBS
            if i:  # the first load warms the browser's cache of nothing but itself; keep the others
                times.append(shown)
            if i == 3:
                expect(page.locator('table.jobs-table td[data-col="inRate"]').first).to_have_text(re.compile(r"/s$"), timeout=15000)
                shot(page, "jobs-20")
            console.check()
            page.close()
    finally:
        c.close()
        for name in submitted:
            http("PATCH", f"jobs/{name}?mode=cancel")
    times.sort()
    RESULTS["jobs page with %d running jobs: table filled, ms from navigation start" % PERF_JOBS] = {
        "median": times[len(times) // 2], "runs": times}
    assert times[len(times) // 2] < 300, times
