"""`fmcat checklist`: real git repositories in tmp_path, the real CLI, golden Markdown."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fmcat.checklist.diff import FileChange, Status, parse_patch, unquote
from fmcat.checklist.write import COMMENT_LIMIT
from tests.conftest import EXAMPLE, Run, run_fmcat
from tests.golden import assert_golden

EXPECTED = Path(__file__).parent / "golden" / "expected"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "fmcat tests",
    "GIT_AUTHOR_EMAIL": "tests@fmcat.invalid",
    "GIT_COMMITTER_NAME": "fmcat tests",
    "GIT_COMMITTER_EMAIL": "tests@fmcat.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}

# Appended to examples/shop's payments client: the sample change of the issue.
PROVIDER_STATUS = '''

def provider_status(url: str) -> int:
    """The provider's status page, for the health check."""
    return requests.get(url).status_code
'''

CATALOG = """\
dependency: payments
owner: team-payments
kind: http
criticality: critical
match:
  - url: "https://api.pay.example.com/*"
policies:
  timeout: {connect: 300ms, read: 1s}
  circuit_breaker: {failure_rate: 50%, window: 30s}
  bulkhead: {max_concurrent: 10}
operations:
  - name: checkout
    idempotency_key: order_id
    latency_budget: 3s
    measures: {latency: checkout_seconds, errors: checkout_errors_total}
failure_modes:
  - id: timeout
    title: The provider does not answer in time
    detection: {signals: [payments_timeouts_total]}
    response:
      automatic: [timeout, circuit_breaker]
      steps: [Check the provider's status page.]
"""

SEARCH = """\
dependency: search
owner: team-search
kind: http
criticality: optional
match:
  - url: "https://search.example.com/*"
policies:
  timeout: {read: 400ms}
  fallback: Hide the search box
operations:
  - name: search
    idempotent: true
    measures: {latency: search_seconds, errors: search_errors_total}
failure_modes:
  - id: unavailable
    title: Search is down
    detection: {signals: [search_errors_total]}
    response: {automatic: [timeout, fallback]}
"""

CODE = """\
import requests

PAY = "https://api.pay.example.com/v1"


def charge(order):
    try:
        return requests.post(f"{PAY}/charges", json=order, timeout=2)
    except requests.RequestException:
        return None
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "init", "-q")
    commit(root, "base")
    return root


def service(tmp_path: Path) -> Path:
    return make_repo(
        tmp_path / "repo",
        {
            "failure-modes/payments.yaml": CATALOG,
            "failure-modes/search.yaml": SEARCH,
            "app/pay.py": CODE,
        },
    )


def shop_repo(tmp_path: Path) -> Path:
    """A repository holding a copy of examples/shop where fmcat's own repository has it."""
    repo = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE,
        repo / "examples" / "shop",
        ignore=shutil.ignore_patterns(".fmcat_cache", "site", "__pycache__"),
    )
    git(repo, "init", "-q")
    commit(repo, "shop")
    return repo


def checklist(repo: Path, *args: str) -> Run:
    result = run_fmcat("checklist", *args, cwd=repo)
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def items(markdown: str) -> list[str]:
    return re.findall(r"^ *- \[[ x]\] .*$", markdown, flags=re.MULTILINE)


# -- golden Markdown for examples/shop ------------------------------------------------------


def test_whole_service_golden_and_stable(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    first = checklist(repo, "examples/shop")
    assert_golden(EXPECTED / "checklist.shop.md", first.stdout)
    assert checklist(repo, "examples/shop").stdout == first.stdout  # byte-identical
    # The same from inside the service: paths stay relative to the repository.
    assert checklist(repo / "examples" / "shop").stdout == first.stdout
    # 25: the 21 library calls and 4 calls through the shop's own PaymentsClient (derived clients).
    assert "fmcat: checklist: 25 calls in 5 dependencies" in first.stderr
    # Short enough to read in a pull request: calls with nothing open are folded.
    assert len(first.stdout.splitlines()) < 80
    assert "- [x] 11 calls with nothing open" in first.stdout


def test_sample_change_golden(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    append(repo / "examples/shop/shop/clients/payments.py", PROVIDER_STATUS)
    result = checklist(repo, "examples/shop", "--base", "HEAD")
    assert_golden(EXPECTED / "checklist.shop-change.md", result.stdout)
    out = result.stdout
    assert "`requests.get` at `examples/shop/shop/clients/payments.py:113`" in out
    assert "- [ ] Timeout set: requests.get has no timeout" in out
    assert "- [ ] Failure handled: requests.get can fail" in out
    assert "(checked: dependency declared)" in out
    assert "(FM101) · **new in this change**" in out
    # Only the changed call and its dependency: not the other calls of the file or service.
    assert "requests.Session.get" not in out and "### orders-db" not in out


def test_policy_change_golden(tmp_path: Path) -> None:
    """The sample change of the report: a new call and one more retry attempt."""
    repo = shop_repo(tmp_path)
    append(repo / "examples/shop/shop/clients/payments.py", PROVIDER_STATUS)
    catalog = repo / "examples/shop/failure-modes/payment-gateway.yaml"
    catalog.write_text(catalog.read_text().replace("    attempts: 3\n", "    attempts: 4\n"))
    out = checklist(repo, "examples/shop", "--base", "HEAD").stdout
    assert_golden(EXPECTED / "checklist.shop-policy-change.md", out)
    assert "| `retry.attempts` | `3` | `4` |" in out
    assert (
        "| `checkout` | 5s | 3 x (50ms + 300ms + 1.2s) + 200ms + 400ms = 5.25s | "
        "4 x (50ms + 300ms + 1.2s) + 200ms + 400ms + 800ms = 7.6s | **no** |" in out
    )
    assert out.count("· **new in this change**") == 3  # FM101, FM103 and the worse FM017


def test_only_modes_the_change_touches_are_asked(tmp_path: Path) -> None:
    repo = shop_repo(tmp_path)
    catalog = repo / "examples/shop/failure-modes/payment-gateway.yaml"
    catalog.write_text(catalog.read_text().replace("    attempts: 3\n", "    attempts: 4\n"))
    out = checklist(repo, "examples/shop", "--base", "HEAD").stdout
    asked = re.findall(r"Failure mode \[?`([a-z-]+)`", out)
    # auth-rejected relies on the breaker alone; the other three retry.
    assert asked == ["timeout", "unavailable", "rate-limited"]
    assert "1 failure mode is not asked about" in out


def test_findings_already_there_are_marked_so(tmp_path: Path) -> None:
    repo = service(tmp_path)
    path = repo / "failure-modes/search.yaml"
    path.write_text(
        path.read_text().replace("    detection: {signals: [search_errors_total]}\n", "")
    )
    commit(repo, "search without detection")
    path.write_text(path.read_text().replace("title: Search is down", "title: Search is gone"))
    out = checklist(repo, "--base", "HEAD").stdout
    assert (
        "- [ ] Catalog entry valid: 2 findings in `failure-modes/search.yaml` · already there "
        "before this change" in out
    )
    assert "new in this change" not in out


def test_a_base_that_cannot_be_scanned_is_said_not_fatal(tmp_path: Path) -> None:
    repo = service(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.fmcat]\ncatalogue = "failure-modes"\n')
    commit(repo, "a typo in the configuration")
    (repo / "pyproject.toml").write_text('[tool.fmcat]\ncatalog = "failure-modes"\n')
    append(repo / "app/pay.py", '\n\ndef refund(o):\n    return requests.post(f"{PAY}/r")\n')
    result = checklist(repo, "--base", "HEAD")
    assert "the base commit could not be scanned" in result.stderr
    assert 'unknown key "catalogue"' in result.stderr
    assert "- [ ] Timeout set: requests.post has no timeout" in result.stdout
    assert "new in this change" not in result.stdout


def test_links_to_the_runbook_section_and_the_code_line(tmp_path: Path) -> None:
    repo = service(tmp_path)
    (repo / "pyproject.toml").write_text(
        '[tool.fmcat]\nsite_url = "https://runbooks.example.com/pay/"\n'
        'repo_url = "https://git.example.com/pay/blob/main"\n'
    )
    append(repo / "app/pay.py", '\n\ndef refund(o):\n    return requests.post(f"{PAY}/r")\n')
    out = checklist(repo, "--base", "HEAD").stdout
    assert "at [`app/pay.py:14`](https://git.example.com/pay/blob/main/app/pay.py#L14)" in out
    assert (
        "Failure mode [`timeout`](https://runbooks.example.com/pay/dependencies/payments.html"
        "#fm-timeout):" in out
    )
    (repo / "pyproject.toml").write_text('[tool.fmcat]\nsite_url = "runbooks/"\n')
    _refused(
        run_fmcat("checklist", "--base", "HEAD", cwd=repo),
        "site_url: 'runbooks/' is not an absolute http(s) URL",
    )


# -- what a change lists ---------------------------------------------------------------------


def test_whole_service_lists_every_call_and_dependency(tmp_path: Path) -> None:
    repo = service(tmp_path)
    out = checklist(repo).stdout
    assert out.startswith("## fmcat checklist\n\nThe whole service: 1 external call in 2 ")
    assert "### payments" in out and "### search" in out
    # Every box of the call is ticked, and named on its line; its FM105 note keeps it listed.
    assert (
        "at `app/pay.py:8` in `charge` (checked: timeout set, failure handled and dependency "
        "declared)\n  - `FM105` line 8: the timeout in code (2s) exceeds" in out
    )
    assert "- [x] Catalog entry valid: no FM0xx finding in `failure-modes/payments.yaml`" in out
    assert "- [ ] Called from the code: no call site in the scanned code (FM201)" in out
    # The whole service asks about every failure mode at once, with the runbook.
    assert (
        "- [ ] **Review:** Failure modes still true: `timeout` (`failure-modes/payments.yaml`): "
        "what users see, how it is detected, and runbook steps that fit" in out
    )
    assert (
        "- [ ] **Review:** Metrics still emitted: `checkout_seconds` and "
        "`checkout_errors_total` (`checkout`)" in out
    )
    assert "new in this change" not in out and "already there" not in out


def test_added_call_without_timeout_is_an_open_item_with_the_reason(tmp_path: Path) -> None:
    repo = service(tmp_path)
    append(
        repo / "app/pay.py",
        '\n\ndef refund(order):\n    return requests.post(f"{PAY}/refunds", json=order)\n',
    )
    out = checklist(repo, "--base", "HEAD").stdout
    assert "1 Python file changed): 1 external call added or changed, 1 dependency" in out
    assert "`requests.post` to `https://api.pay.example.com/v1/refunds` at `app/pay.py:14`" in out
    assert (
        "- [ ] Timeout set: requests.post has no timeout and requests waits forever; "
        "set timeout= (FM101)" in out
    )
    assert "- [ ] Failure handled: requests.post can fail (requests.RequestException)" in out
    assert "app/pay.py:8" not in out  # the unchanged call
    assert "### search" not in out  # nothing of it changed
    assert "Does this change keep it true?" in out
    assert "`failure-modes/payments.yaml` is not part of this change" in out


def test_removing_a_timeout_line_inside_a_call_lists_the_call(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "failure-modes/payments.yaml": CATALOG,
            "app/pay.py": 'import requests\n\nrequests.get(\n    "https://api.pay.example.com/x",\n'
            '    timeout=2,\n)\nrequests.get("https://api.pay.example.com/y", timeout=2)\n',
        },
    )
    path = repo / "app/pay.py"
    path.write_text(path.read_text().replace("    timeout=2,\n", ""))
    out = checklist(repo, "--base", "HEAD").stdout
    assert "at `app/pay.py:3`" in out
    assert "- [ ] Timeout set: requests.get has no timeout" in out
    assert "app/pay.py:6" not in out  # the call after the removed line did not change


def test_catalog_change_asks_for_the_runbook(tmp_path: Path) -> None:
    repo = service(tmp_path)
    path = repo / "failure-modes/search.yaml"
    path.write_text(path.read_text().replace("read: 400ms", "read: 300ms"))
    out = checklist(repo, "--base", "HEAD").stdout
    assert "(1 catalog file changed): 0 external calls added or changed, 1 dependency" in out
    assert "### search" in out and "### payments" not in out
    assert "No call to it changed." in out
    assert (
        "- [ ] **Review:** Runbook updated if the policy changed: `failure-modes/search.yaml` "
        "changed here; check that its response steps still fit its policies" in out
    )
    # The policy diff, and the mode whose automatic response relies on the timeout.
    assert "| `timeout.read` | `400ms` | `300ms` |" in out
    assert (
        "- [ ] **Review:** Failure mode `unavailable`: Search is down. Response: timeout and "
        "fallback" in out
    )


def test_invalid_catalog_file_is_listed_with_its_findings(tmp_path: Path) -> None:
    repo = service(tmp_path)
    (repo / "failure-modes/search.yaml").write_text("dependency: search\nowner: [\n")
    out = checklist(repo, "--base", "HEAD").stdout
    assert "### Catalog files with errors" in out
    assert "- [ ] Catalog file valid: `failure-modes/search.yaml` does not load (1 finding)" in out
    assert "  - `FM001` line " in out


def test_call_attributed_to_no_dependency(tmp_path: Path) -> None:
    repo = service(tmp_path)
    (repo / "app/geo.py").write_text(
        "import requests\n\n\ndef locate(ip):\n"
        "    try:\n"
        '        return requests.get("https://geo.example.com/lookup", timeout=1)\n'
        "    except requests.RequestException:\n"
        "        return None\n"
    )
    out = checklist(repo, "--base", "HEAD").stdout  # not committed: an untracked file counts
    assert "### payments" not in out
    whole = checklist(repo).stdout
    assert whole.index("### search") < whole.index("### No catalog dependency")
    assert "Calls that no catalog dependency's `match:` rules claim (FM104)." in out
    assert (
        "- [ ] Dependency declared: no catalog dependency matches this call to "
        "`https://geo.example.com/lookup` (FM104)" in out
    )
    assert "(checked: timeout set and failure handled)" in out


def test_service_without_a_catalog(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"app/pay.py": CODE})
    result = checklist(repo)
    assert "fmcat: no catalog at failure-modes; running the code rules alone" in result.stderr
    out = result.stdout
    assert "The service has no catalog, so no call belongs to a dependency." in out
    assert "- [ ] Dependency declared: the service has no catalog to declare it in" in out


def test_renames_and_deletions(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "failure-modes/payments.yaml": CATALOG.replace(
                'url: "https://api.pay.example.com/*"', 'call: "app.pay.*"'
            ),
            "failure-modes/search.yaml": SEARCH,
            "app/pay.py": CODE,
            "app/old search.py": 'import requests\nrequests.get("https://search.example.com/q")\n',
        },
    )
    git(repo, "mv", "app/pay.py", "app/payments.py")
    git(repo, "rm", "-q", "app/old search.py", "failure-modes/search.yaml")
    git(repo, "mv", "failure-modes/payments.yaml", "failure-modes/pay.yaml")
    (repo / "app/café.py").write_text('import requests\nrequests.get("https://x.example.com")\n')
    out = checklist(repo, "--base", "HEAD").stdout
    # The moved module no longer matches `call: app.pay.*`: its call is listed, unattributed.
    assert (
        "`requests.post` to `https://api.pay.example.com/v1/charges` at `app/payments.py:8`" in out
    )
    assert "`requests.get` to `https://x.example.com` at `app/café.py:2`" in out
    section = out[out.index("### Deleted and renamed files") :]
    assert items(section) == [
        "- [ ] `app/old search.py` deleted: check that each dependency it called is still "
        "called, or remove its catalog entry",
        "- [ ] `app/pay.py` renamed to `app/payments.py`: its calls are listed above; check "
        "`match: call:` rules that name the old module",
        "- [ ] `failure-modes/payments.yaml` renamed to `failure-modes/pay.yaml`: its dependency "
        "is listed above",
        "- [ ] `failure-modes/search.yaml` deleted: check that no code still calls that "
        "dependency (such calls are listed under *No catalog dependency*)",
    ]
    assert (
        "- [ ] **Review:** Runbook updated if the policy changed: `failure-modes/pay.yaml` "
        "changed here" in out
    )
    assert "- [ ] Called from the code: no call site in the scanned code (FM201)" in out


# -- size, safety ----------------------------------------------------------------------------


def test_long_checklists_are_cut_under_the_comment_limit(tmp_path: Path) -> None:
    calls_per_file, file_count = 60, 8
    body = "import requests\n\n" + "".join(
        f'requests.get("https://api.example.com/item/{n}", timeout=1)\n'
        for n in range(calls_per_file)
    )
    repo = make_repo(tmp_path / "repo", {f"app/module_{i}.py": body for i in range(file_count)})
    out = checklist(repo).stdout
    assert len(out) < COMMENT_LIMIT and len(out.encode("utf-8")) < COMMENT_LIMIT
    note = re.search(
        r"\*\*Truncated:\*\* ([\d,]+) more checklist items \(([\d,]+) calls\) are not shown", out
    )
    assert note, out[-500:]
    total_calls = calls_per_file * file_count
    shown_calls = len(re.findall(r"^- `requests\.get`", out, flags=re.MULTILINE))
    assert shown_calls + int(note[2].replace(",", "")) == total_calls
    # Three items a call: timeout (ticked, named on the call's line), handled (open), declared
    # (open, no catalog); only the open ones have a box.
    assert len(items(out)) == 2 * shown_calls
    assert 3 * shown_calls + int(note[1].replace(",", "")) == 3 * total_calls
    assert out.endswith("`fmcat lint` reports every finding.\n")
    assert checklist(repo).stdout == out


def test_catalog_text_cannot_inject_markdown_or_html(tmp_path: Path) -> None:
    hostile = CATALOG.replace(
        "title: The provider does not answer in time",
        'title: "<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold**\\n# head"',
    )
    repo = make_repo(tmp_path / "repo", {"app/pay.py": CODE})
    # A new dependency in the change: every failure mode is asked about, by its title.
    (repo / "failure-modes").mkdir()
    (repo / "failure-modes/payments.yaml").write_text(hostile, encoding="utf-8")
    out = checklist(repo, "--base", "HEAD").stdout
    assert "Failure mode `timeout`:" in out
    assert re.search(r"<[A-Za-z/!]", out.replace("\\<", "")) is None
    assert (
        "\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(1)) \\*\\*bold\\*\\*" in out
    )
    assert "\n# head" not in out


# -- bad input -------------------------------------------------------------------------------


def _refused(result: Run, message: str) -> None:
    assert result.code == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert message in result.stderr, result.stderr


def test_base_that_is_not_a_commit(tmp_path: Path) -> None:
    repo = service(tmp_path)
    _refused(
        run_fmcat("checklist", "--base", "no-such-branch", cwd=repo),
        "fmcat: error: --base 'no-such-branch' is not a commit in the repository at",
    )
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    _refused(run_fmcat("checklist", "--base", tree, cwd=repo), "is not a commit")
    _refused(run_fmcat("checklist", "--base", "--output=x", cwd=repo), "is not a commit")


def test_outside_a_git_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    (folder / "failure-modes").mkdir(parents=True)
    (folder / "failure-modes/payments.yaml").write_text(CATALOG)
    if subprocess.run(["git", "rev-parse"], cwd=folder, capture_output=True).returncode == 0:
        pytest.skip("tmp_path is inside a git repository")
    _refused(run_fmcat("checklist", cwd=folder), "is not in a git repository")


def test_git_not_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = service(tmp_path)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    _refused(run_fmcat("checklist", cwd=repo), "git is not installed (or not on PATH)")


def test_path_that_does_not_exist_or_is_a_file(tmp_path: Path) -> None:
    repo = service(tmp_path)
    _refused(run_fmcat("checklist", "missing", cwd=repo), "fmcat: error: missing: no such folder")
    _refused(run_fmcat("checklist", "app/pay.py", cwd=repo), "app/pay.py: not a folder")


# -- the diff parser -------------------------------------------------------------------------

PATCH = """\
diff --git a/app/a.py b/app/a.py
index 1111111..2222222 100644
--- a/app/a.py
+++ b/app/a.py
@@ -3,0 +4,2 @@ def f():
+    x = 1
+    y = 2
@@ -10 +12 @@ def g():
-old
+new
@@ -20,2 +21,0 @@ def h():
--- a/looks/like/a/header.py
-+++ b/neither
\\ No newline at end of file
diff --git "a/app/tab\\there.py" "b/app/tab\\there.py"
new file mode 100644
--- /dev/null
+++ "b/app/tab\\there.py"
@@ -0,0 +1 @@
+import requests
diff --git a/app/with space.py b/app/with space.py
deleted file mode 100644
--- a/app/with space.py\t
+++ /dev/null
@@ -1 +0,0 @@
-import requests
diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
"""


def test_parse_patch() -> None:
    changes = {change.path: change for change in parse_patch(PATCH)}
    assert list(changes) == ["app/a.py", "app/tab\there.py", "app/with space.py", "new.py"]
    a = changes["app/a.py"]
    assert (a.status, a.ranges, a.removals) == (Status.MODIFIED, [(4, 5), (12, 12)], [21])
    assert changes["app/tab\there.py"].status is Status.ADDED
    assert changes["app/with space.py"].status is Status.DELETED
    renamed = changes["new.py"]
    assert (renamed.status, renamed.old_path, renamed.ranges) == (Status.RENAMED, "old.py", [])


def test_parse_patch_skips_combined_diffs_of_unmerged_paths() -> None:
    patch = (
        "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
        "diff --cc y.py\nindex 1,2..3\n--- a/y.py\n+++ b/y.py\n@@@ -1,1 -1,1 +1,5 @@@\n"
    )
    assert [(c.path, c.ranges) for c in parse_patch(patch)] == [("x.py", [(1, 1)])]


def test_touches() -> None:
    change = FileChange("a.py", ranges=[(4, 5)], removals=[10])
    assert change.touches(5, 7) and change.touches(1, 4)
    assert not change.touches(6, 9) and not change.touches(11, 12)
    assert change.touches(9, 11)  # lines removed from inside the span
    assert not change.touches(10, 10) and not change.touches(11, 11)
    assert FileChange("b.py", whole=True).touches(1, 1)


def test_unquote() -> None:
    assert unquote("plain.py") == "plain.py"
    assert unquote('"caf\\303\\251 \\"q\\".py"') == 'café "q".py'
