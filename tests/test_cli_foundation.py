"""CLI conventions: --version, --help everywhere, --json prints one object, bad input exits 2 with one line."""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microneedling import __version__
from microneedling.cli import app


def _command_names():
    import typer.main

    group = typer.main.get_command(app)
    return sorted(group.commands)


def test_version(run_cli):
    r = run_cli("--version")
    assert r.code == 0 and __version__ in r.out


def test_no_arguments_prints_help(run_cli):
    r = run_cli()
    assert r.code == 0 and "Usage" in r.out


@pytest.mark.parametrize("command", _command_names())
def test_every_command_has_help(run_cli, command):
    r = run_cli(command, "--help")
    assert r.code == 0, r.err
    assert "Usage" in r.out


def test_skin_json_is_one_object(run_cli):
    r = run_cli("skin", "--zone", "cheek", "--sex", "F", "--age-years", "25", "--json")
    assert r.code == 0, r.err
    obj = json.loads(r.out)
    # HFUS50MHz2019 abstract: cheek, women 20-29 y, 1.90 +/- 0.21 mm
    assert obj["full_thickness_mm"] == pytest.approx(1.90)
    assert obj["full_thickness_sd_mm"] == pytest.approx(0.21)


def _assert_one_line_exit_2(r, *needles):
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    for n in needles:
        assert n in lines[0], (n, lines[0])


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.one_of(st.floats(max_value=11.99, allow_nan=False, allow_infinity=False),
                 st.floats(min_value=100.01, allow_nan=False, allow_infinity=False),
                 st.just(math.nan), st.just(math.inf)))
def test_out_of_range_age_exits_2_with_one_line(run_cli, age):
    r = run_cli("skin", "--zone", "cheek", "--age-years", repr(age))
    _assert_one_line_exit_2(r, "age")


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.text(min_size=1, max_size=12).filter(lambda s: s.strip() and s not in {
    "forehead", "temple", "cheek", "nose", "perioral", "chin", "periorbital"} and not s.startswith("-")))
def test_unknown_zone_exits_2_with_one_line(run_cli, zone):
    r = run_cli("skin", "--zone", zone)
    _assert_one_line_exit_2(r, "zone")


@pytest.mark.parametrize("args,needle", [
    (("skin", "--zone", "cheek", "--age-years", "abc"), "--age-years"),
    (("skin",), "--zone"),
    (("skin", "--zone", "cheek", "--sex", "X"), "sex"),
    (("no-such-command",), "no-such-command"),
    (("params", "--prefix", "zzz"), "prefix"),
])
def test_usage_errors_exit_2_with_one_line(run_cli, args, needle):
    _assert_one_line_exit_2(run_cli(*args), needle)


def test_params_and_citations_json(run_cli):
    r = run_cli("params", "--prefix", "skin.", "--json")
    assert r.code == 0
    rows = json.loads(r.out)["parameters"]
    assert rows and all(row["source"] for row in rows)
    r = run_cli("citations", "--json")
    assert r.code == 0 and "Davis2004" in json.loads(r.out)["citations"]
