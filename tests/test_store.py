"""Tests of the sharded TinyDB store: records, durability, concurrency and migrations."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from xeapp import store as store_module
from xeapp.errors import InvalidInputError, NotFoundError, StoreError
from xeapp.events import INVENTORY_CHANGED, JOBS_CHANGED, EventBus
from xeapp.store import TABLES, Store


def device(ip: str, **fields: Any) -> dict[str, Any]:
    return {
        "ip_address": ip,
        "hostname": f"sw-{ip.replace('.', '-')}",
        "serial_number": "FOC2233X0AB",
        "device_role": "Switch",
        "current_version": "17.9.4a",
        "rommon_version": "17.9.1r",
        "status": "Online",
        "netconf_state": "Enabled",
        **fields,
    }


def shard_file(db_dir: Path, table: str, key: str) -> Path:
    spec = TABLES[table]
    return db_dir / spec.file_name(spec.shard_of(key))


def read_table(path: Path, table: str) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text())[table].values())


@pytest.fixture
def db_dir(tmp_path: Path) -> Path:
    return tmp_path / "db"


@pytest.fixture
def store(db_dir: Path) -> Any:
    with Store(db_dir) as opened:
        yield opened


def test_device_upsert_merges_fields(store: Store) -> None:
    store.upsert_device(device("10.0.0.1"))
    store.upsert_device({"ip_address": "10.0.0.1", "current_version": "17.12.4"})

    stored = store.get_device("10.0.0.1")
    assert stored is not None
    assert stored["current_version"] == "17.12.4"
    assert stored["hostname"] == "sw-10-0-0-1"
    assert len(store.list_devices()) == 1


def test_device_address_is_canonical(store: Store) -> None:
    store.upsert_device(device(" 2001:DB8::0001 "))

    assert store.get_device("2001:db8::1") is not None


def test_device_list_sorted_by_address(store: Store) -> None:
    for ip in ("10.0.0.10", "10.0.0.9", "2001:db8::1", "10.0.0.100"):
        store.upsert_device(device(ip))

    addresses = [d["ip_address"] for d in store.list_devices()]
    assert addresses == ["10.0.0.9", "10.0.0.10", "10.0.0.100", "2001:db8::1"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "Up"}, "invalid status 'Up'"),
        ({"device_role": "Firewall"}, "invalid device_role"),
        ({"netconf_state": "On"}, "invalid netconf_state"),
        ({"ip_address": "10.0.0.300"}, "invalid ip_address"),
        ({"ip_address": ""}, "needs an ip_address"),
        ({"seen": object()}, "cannot be stored as JSON"),
    ],
)
def test_device_invalid_values_rejected(store: Store, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        store.upsert_device(device("10.0.0.1", **fields))


def test_returned_records_are_copies(store: Store) -> None:
    store.upsert_device(device("10.0.0.1", members=[{"number": 1}]))

    copy = store.get_device("10.0.0.1")
    assert copy is not None
    copy["members"].append({"number": 2})
    stored = store.get_device("10.0.0.1")
    assert stored is not None
    assert stored["members"] == [{"number": 1}]


def test_remove_device_removes_prechecks(store: Store) -> None:
    store.upsert_device(device("10.0.0.1"))
    store.replace_prechecks("10.0.0.1", [{"check_name": "flash", "result": "Pass", "message": ""}])

    assert store.remove_device("10.0.0.1") is True
    assert store.get_device("10.0.0.1") is None
    assert store.list_prechecks("10.0.0.1") == []
    assert store.remove_device("10.0.0.1") is False


def test_clear_inventory_clears_prechecks(store: Store) -> None:
    for index in range(10):
        ip = f"10.0.0.{index}"
        store.upsert_device(device(ip))
        store.replace_prechecks(ip, [{"check_name": "rommon", "result": "Warn", "message": "old"}])

    store.clear_inventory()

    assert store.list_devices() == []
    assert store.list_prechecks() == []


def test_prechecks_replace_previous_results(store: Store) -> None:
    first = [
        {"check_name": "flash", "result": "Fail", "message": "120 MB free, 1.2 GB needed"},
        {"check_name": "rommon", "result": "Pass", "message": ""},
    ]
    store.replace_prechecks("10.0.0.1", first)
    store.replace_prechecks("10.0.0.2", first)
    store.replace_prechecks("10.0.0.1", [{"check_name": "flash", "result": "Pass", "message": ""}])

    results = store.list_prechecks("10.0.0.1")
    assert [(r["check_name"], r["result"]) for r in results] == [("flash", "Pass")]
    assert len(store.list_prechecks("10.0.0.2")) == 2
    assert len(store.list_prechecks()) == 3


def test_precheck_invalid_result_rejected(store: Store) -> None:
    with pytest.raises(InvalidInputError, match="expected one of Pass, Warn, Fail"):
        store.replace_prechecks("10.0.0.1", [{"check_name": "flash", "result": "OK"}])


def test_images_add_replace_remove(store: Store) -> None:
    image = {"filename": "cat9k_iosxe.17.12.04.SPA.bin", "md5_expected": "a" * 32}
    store.add_image({**image, "file_path": "/old"})
    store.add_image({**image, "file_path": "/repo/cat9k_iosxe.17.12.04.SPA.bin"})

    images = store.list_images()
    assert len(images) == 1
    assert images[0]["file_path"] == "/repo/cat9k_iosxe.17.12.04.SPA.bin"
    assert images[0]["upload_date"]
    assert store.remove_image(image["filename"]) is True
    assert store.get_image(image["filename"]) is None


def test_jobs_add_update_remove(store: Store) -> None:
    job = store.add_job({"target_ip": "10.0.0.1", "target_version": "17.12.4"})
    assert job["status"] == "Pending"

    updated = store.update_job(job["job_id"], {"status": "Running", "log_output": "/logs/x.log"})
    assert updated["status"] == "Running"
    assert updated["target_version"] == "17.12.4"
    assert [j["job_id"] for j in store.list_jobs()] == [job["job_id"]]
    assert store.remove_job(job["job_id"]) is True
    assert store.get_job(job["job_id"]) is None


def test_job_update_of_unknown_job(store: Store) -> None:
    with pytest.raises(NotFoundError, match="job nosuchjob not found"):
        store.update_job("nosuchjob", {"status": "Failed"})


def test_job_duplicate_id_rejected(store: Store) -> None:
    store.add_job({"job_id": "j1", "target_ip": "10.0.0.1"})

    with pytest.raises(InvalidInputError, match="job j1 already exists"):
        store.add_job({"job_id": "j1", "target_ip": "10.0.0.2"})


def test_job_written_before_return(store: Store, db_dir: Path) -> None:
    job = store.add_job({"target_ip": "10.0.0.1", "status": "Running"})

    on_disk = read_table(shard_file(db_dir, "Jobs", job["job_id"]), "Jobs")
    assert [j["status"] for j in on_disk] == ["Running"]


def test_device_written_within_delay(db_dir: Path) -> None:
    with Store(db_dir, flush_delay_s=0.05) as store:
        store.upsert_device(device("10.0.0.1"))
        path = shard_file(db_dir, "Inventory", "10.0.0.1")

        deadline = time.monotonic() + 5
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert path.exists()
        assert read_table(path, "Inventory")[0]["ip_address"] == "10.0.0.1"


def test_write_behind_coalesces_updates(db_dir: Path) -> None:
    with Store(db_dir, flush_delay_s=10) as store:
        for count in range(200):
            store.upsert_device(device("10.0.0.1", uptime_s=count))
        assert store.files_written == 0

        store.flush()
        assert store.files_written == 1


def test_store_reopens_with_data(db_dir: Path) -> None:
    with Store(db_dir) as store:
        for index in range(300):
            store.upsert_device(device(f"10.1.{index // 256}.{index % 256}"))
        store.add_job({"job_id": "j1", "target_ip": "10.1.0.1"})

    with Store(db_dir) as reopened:
        assert len(reopened.list_devices()) == 300
        assert reopened.get_job("j1") is not None


def test_store_events_published(db_dir: Path) -> None:
    events = EventBus()
    seen: list[tuple[str, dict[str, Any]]] = []
    events.subscribe("*", lambda topic, payload: seen.append((topic, payload)))

    with Store(db_dir, events=events) as store:
        store.upsert_device(device("10.0.0.1"))
        store.add_job({"job_id": "j1", "target_ip": "10.0.0.1"})

    assert (INVENTORY_CHANGED, {"action": "upsert", "ip_address": "10.0.0.1"}) in seen
    assert (JOBS_CHANGED, {"action": "upsert", "job_id": "j1"}) in seen


def test_concurrent_writers_lose_nothing(db_dir: Path) -> None:
    threads_count, per_thread = 20, 50
    errors: list[BaseException] = []

    with Store(db_dir, flush_delay_s=0.01) as store:
        store.add_job({"job_id": "shared", "target_ip": "10.0.0.1"})

        def write(worker: int) -> None:
            try:
                for index in range(per_thread):
                    store.upsert_device(device(f"10.{worker}.0.{index}", worker=worker))
                    store.upsert_device({"ip_address": f"10.{worker}.0.{index}", "seen": index})
                    store.update_job("shared", {f"step_{worker}": index})
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    with Store(db_dir) as reopened:
        devices = reopened.list_devices()
        assert len(devices) == threads_count * per_thread
        assert all(d["seen"] == int(d["ip_address"].rsplit(".", 1)[1]) for d in devices)
        assert all(d["hostname"].startswith("sw-") for d in devices)
        job = reopened.get_job("shared")
        assert job is not None
        assert all(job[f"step_{n}"] == per_thread - 1 for n in range(threads_count))


def test_failed_replace_keeps_old_data(db_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.replace is patched to raise, as a full disk or a lost mount would make it."""
    with Store(db_dir) as store:
        store.add_job({"job_id": "j1", "target_ip": "10.0.0.1", "status": "Pending"})
        path = shard_file(db_dir, "Jobs", "j1")
        before = path.read_bytes()

        def fail_replace(src: str, dst: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", fail_replace)
        with pytest.raises(StoreError, match="No space left on device"):
            store.update_job("j1", {"status": "Running"})
        assert path.read_bytes() == before
        assert list(db_dir.glob(".*.tmp")) == []

        monkeypatch.undo()
        store.flush()
        assert read_table(path, "Jobs")[0]["status"] == "Running"


KILL_AT_REPLACE = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from xeapp.store import Store

    store = Store(Path(sys.argv[1]))
    store.add_job({"job_id": "j1", "target_ip": "10.0.0.1", "status": "Pending"})
    real_replace = os.replace

    def replace_then_hang(src, dst):
        # The temporary file is written and fsynced; the parent kills this process here.
        print("at-replace", flush=True)
        time.sleep(60)
        real_replace(src, dst)

    os.replace = replace_then_hang
    store.update_job("j1", {"status": "Running"})
    """
)


def test_kill_before_replace_keeps_old_data(db_dir: Path) -> None:
    """A real child process is killed with SIGKILL between the fsynced temp file and os.replace."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_AT_REPLACE, str(db_dir)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "at-replace"
        assert len(list(db_dir.glob(".*.tmp"))) == 1
    finally:
        child.kill()
        child.wait(timeout=10)

    with Store(db_dir) as reopened:
        job = reopened.get_job("j1")
        assert job is not None
        assert job["status"] == "Pending"
    assert list(db_dir.glob(".*.tmp")) == []


def test_corrupt_file_moved_aside(db_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with Store(db_dir) as store:
        store.upsert_device(device("10.0.0.1"))
        store.upsert_device(device("10.0.0.2"))
    broken = shard_file(db_dir, "Inventory", "10.0.0.1")
    assert broken != shard_file(db_dir, "Inventory", "10.0.0.2")
    broken.write_bytes(b'{"Inventory": {"1": {"ip_addr')

    with caplog.at_level(logging.WARNING), Store(db_dir) as reopened:
        assert reopened.get_device("10.0.0.1") is None
        assert reopened.get_device("10.0.0.2") is not None
        reopened.upsert_device(device("10.0.0.1"))

    kept = list(db_dir.glob(f"{broken.name}.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == b'{"Inventory": {"1": {"ip_addr'
    assert "is unreadable" in caplog.text
    assert str(kept[0]) in caplog.text


def test_read_only_store_rejects_writes(db_dir: Path) -> None:
    with Store(db_dir) as store:
        store.upsert_device(device("10.0.0.1"))

    with Store(db_dir, read_only=True) as reader:
        assert reader.get_device("10.0.0.1") is not None
        with pytest.raises(StoreError, match="read-only"):
            reader.upsert_device(device("10.0.0.2"))


def test_read_only_store_leaves_corrupt_file(db_dir: Path) -> None:
    with Store(db_dir) as store:
        store.upsert_device(device("10.0.0.1"))
    broken = shard_file(db_dir, "Inventory", "10.0.0.1")
    broken.write_text("not json")

    with Store(db_dir, read_only=True) as reader:
        assert reader.get_device("10.0.0.1") is None
    assert broken.read_text() == "not json"


def test_newer_schema_rejected(db_dir: Path) -> None:
    Store(db_dir).close()
    meta = db_dir / store_module.META_FILE
    meta.write_text(json.dumps({"schema_version": store_module.SCHEMA_VERSION + 1}))

    with pytest.raises(StoreError, match="newer than this xeapp supports"):
        Store(db_dir)


def test_migration_runs_on_open(db_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db_dir) as store:
        store.upsert_device(device("10.0.0.1"))

    def add_port(records: dict[str, list[dict[str, Any]]]) -> None:
        for record in records["Inventory"]:
            record["ssh_port"] = 22

    version = store_module.SCHEMA_VERSION
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", version + 1)
    monkeypatch.setitem(store_module.MIGRATIONS, version, add_port)
    with Store(db_dir) as migrated:
        stored = migrated.get_device("10.0.0.1")
        assert stored is not None
        assert stored["ssh_port"] == 22

    meta = json.loads((db_dir / store_module.META_FILE).read_text())
    assert meta["schema_version"] == version + 1
    assert len(list(db_dir.parent.glob(f"db-before-v{version + 1}-*"))) == 1


def test_shard_count_change_reshards(db_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(db_dir) as store:
        for index in range(200):
            store.upsert_device(device(f"10.0.{index // 100}.{index % 100}"))

    spec = TABLES["Inventory"]
    monkeypatch.setitem(TABLES, "Inventory", dataclasses.replace(spec, shards=4))
    with Store(db_dir) as resharded:
        assert len(resharded.list_devices()) == 200

    assert sorted(p.name for p in db_dir.glob("inventory-*.json")) == [
        f"inventory-{index:02d}.json" for index in range(4)
    ]


def test_unclosed_store_written_at_exit(db_dir: Path) -> None:
    script = (
        "import sys; from pathlib import Path; from xeapp.store import Store; "
        "Store(Path(sys.argv[1]), flush_delay_s=3600).upsert_device({'ip_address': '10.0.0.1'})"
    )
    subprocess.run([sys.executable, "-c", script, str(db_dir)], check=True, timeout=60)

    with Store(db_dir) as reopened:
        assert reopened.get_device("10.0.0.1") is not None
