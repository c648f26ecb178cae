"""The settings of fetching and the API fail loudly on a bad value, like the others."""

from tests.test_settings import run_manage


def test_a_malformed_allowed_network_or_api_rate_stops_the_desk():
    for env, message in (
        (
            {"NEWSFACTS_FETCH_ALLOWED_NETWORKS": "10.0.0.0/8,intranet"},
            "'intranet' is not a network",
        ),
        ({"NEWSFACTS_API_THROTTLE": "lots"}, "NEWSFACTS_API_THROTTLE must look like 600/min"),
    ):
        result = run_manage("check", NEWSFACTS_DEBUG="1", **env)
        assert result.returncode != 0 and message in result.stderr
    assert (
        run_manage(
            "check", NEWSFACTS_DEBUG="1", NEWSFACTS_FETCH_ALLOWED_NETWORKS="10.2.0.0/16, fd00::/8"
        ).returncode
        == 0
    )
