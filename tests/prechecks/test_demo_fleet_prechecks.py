"""Pre-checks of the lab demo fleet: each device gets the outcome its profile was built for."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from precheck_helpers import (
    DEMO_BASE,
    IMAGES,
    UNVERIFIED_IMAGE,
    device_target,
    fill_repository,
    make_service,
)

from xeapp.lab import Lab, start_lab
from xeapp.prechecks import CHECK_NAMES, DevicePrechecks, PrecheckService, Result
from xeapp.store import Store

P, W, F = Result.PASS, Result.WARN, Result.FAIL

# Hostname -> (image, results that differ from Pass). The demo fleet gives the NETCONF-off
# C9200L 1.4 GB of flash free and the 3850 1.2 GB, so their disk_space warns.
EXPECTED: dict[str, tuple[str, dict[str, Result]]] = {
    "demo-stack-healthy": (IMAGES["cat9k"], {}),
    "demo-stack-lowflash": (IMAGES["cat9k"], {"disk_space": F}),
    "demo-c9500-under2g": (IMAGES["cat9k"], {"disk_space": W}),
    "demo-3850-bundle": (IMAGES["cat3k"], {"boot_variable": W, "disk_space": W}),
    "demo-c9500-ignorecfg": (IMAGES["cat9k"], {"rommon_flags": F}),
    "demo-c9200l-noconf": (IMAGES["cat9k_lite"], {"reachability": F, "disk_space": W}),
    "demo-stack-ontarget": (IMAGES["cat9k"], {"version": F}),
    "demo-isr4451": (IMAGES["isr4400"], {}),
    "demo-c8300": (IMAGES["c8000be"], {}),
    "demo-asr1001x": (IMAGES["asr1001x"], {}),
    "demo-c8000v": (IMAGES["c8000v"], {}),
    "demo-c9200l-badcreds": (
        IMAGES["cat9k_lite"],
        {name: F for name in CHECK_NAMES if name != "image_verified"},
    ),
}


@pytest.fixture(scope="module")
def demo_lab() -> Iterator[Lab]:
    with start_lab("demo", base=DEMO_BASE, netconf_start_seconds=0.2) as lab:
        yield lab


@pytest.fixture(scope="module")
def demo_prechecks(
    demo_lab: Lab, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, DevicePrechecks]]:
    """Pre-checks of every demo device against its image, by lab hostname."""
    root = tmp_path_factory.mktemp("demo-prechecks")
    with Store(root / "db", flush_delay_s=0.01) as store:
        fill_repository(root, store)
        service = make_service(root, store)
        results: dict[str, DevicePrechecks] = {}
        for image in sorted({image for image, _ in EXPECTED.values()}):
            hosts = [h for h, (wanted, _) in EXPECTED.items() if wanted == image]
            targets = [device_target(demo_lab.device(h)) for h in hosts]
            for host, outcome in zip(hosts, service.run(targets, image), strict=True):
                results[host] = outcome
        yield results


CASES = [
    pytest.param(host, name, expected.get(name, P), id=f"{host}-{name}")
    for host, (_, expected) in EXPECTED.items()
    for name in CHECK_NAMES
]


@pytest.mark.parametrize(("host", "check_name", "expected"), CASES)
def test_demo_device_check(
    demo_prechecks: dict[str, DevicePrechecks], host: str, check_name: str, expected: Result
) -> None:
    result = demo_prechecks[host].result_of(check_name)
    assert result.result is expected, result.message


@pytest.mark.parametrize("host", list(EXPECTED))
def test_demo_device_readiness(demo_prechecks: dict[str, DevicePrechecks], host: str) -> None:
    _, expected = EXPECTED[host]
    assert demo_prechecks[host].ready is (F not in expected.values())


def test_healthy_stack_ready_without_ack(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    healthy = demo_prechecks["demo-stack-healthy"]
    assert healthy.cleared_for_upgrade
    assert [c.check_name for c in healthy.checks] == list(CHECK_NAMES)


def test_low_flash_names_member(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    message = demo_prechecks["demo-stack-lowflash"].result_of("disk_space").message
    assert message.startswith("flash-2: 0.80 GB free, under the 1 GB minimum")
    assert "flash-1:" not in message
    assert "flash-3:" not in message
    assert "install remove inactive" in message


def test_under_2g_message(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    message = demo_prechecks["demo-c9500-under2g"].result_of("disk_space").message
    assert message.startswith("flash: 1.50 GB free, under 2 GB")


def test_bundle_mode_reason(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    message = demo_prechecks["demo-3850-bundle"].result_of("boot_variable").message
    assert "bundle mode" in message
    assert "cat3k_caa-universalk9.16.12.10a.SPA.bin" in message
    assert "flash:packages.conf" in message


def test_rommon_flag_message(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    message = demo_prechecks["demo-c9500-ignorecfg"].result_of("rommon_flags").message
    assert "SWITCH_IGNORE_STARTUP_CFG=1" in message
    assert "no system ignore startupconfig switch all" in message


def test_on_target_message(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    message = demo_prechecks["demo-stack-ontarget"].result_of("version").message
    assert message.startswith("the device already runs 17.12.4")


def test_netconf_off_read_over_ssh(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    device = demo_prechecks["demo-c9200l-noconf"]
    assert "refused" in device.result_of("reachability").message
    assert device.result_of("disk_space").read.startswith("show file systems")


def test_bad_credentials_reason(demo_prechecks: dict[str, DevicePrechecks]) -> None:
    device = demo_prechecks["demo-c9200l-badcreds"]
    message = device.result_of("boot_variable").message
    assert message.startswith("could not read the boot variables:")
    assert "authentication failed" in message


def test_wrong_platform_image(demo_lab: Lab, service: PrecheckService) -> None:
    target = device_target(demo_lab.device("demo-stack-healthy"))
    outcome = service.run([target], IMAGES["isr4400"])[0]
    check = outcome.result_of("image_platform")
    assert check.result is F
    assert "switch 1 (C9300-48P)" in check.message
    assert "cat9k_iosxe" in check.message


def test_unverified_image_warns(demo_lab: Lab, service: PrecheckService) -> None:
    target = device_target(demo_lab.device("demo-stack-healthy"))
    outcome = service.run([target], UNVERIFIED_IMAGE)[0]
    assert outcome.result_of("image_verified").result is W
    assert outcome.ready
    assert outcome.needs_acknowledgement
