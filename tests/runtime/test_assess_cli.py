"""`grantdesk assess FILE.json`: the eligibility assessment from the command line."""

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from models.grants.eligibility import ReasonCode
from runtime.cli import app
from tests.factories import application

runner = CliRunner()


def write(tmp_path: Path, data: Any, name: str = "application.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def body(submitted_at: str | None = "2020-05-02T10:00:00+03:00", **changes: Any) -> dict[str, Any]:
    return {**application(**changes), "submitted_at": submitted_at}


def assess(*args: str | Path) -> Result:
    return runner.invoke(app, ["assess", *(str(a) for a in args)])


def printed(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_eligible_application(tmp_path: Path) -> None:
    result = assess(write(tmp_path, body()))
    assert printed(result) == {
        "eligible": True,
        "reasons": [],
        "turnover_drop": "0.7814",
        "rules_version": "espoo-2020-05-26",
    }
    assert result.stderr == ""


def test_programme_can_be_named(tmp_path: Path) -> None:
    result = assess(write(tmp_path, body()), "--programme", "sole-entrepreneur-2020")
    assert printed(result)["eligible"] is True


def test_ineligible_application_still_exits_0_with_reasons(tmp_path: Path) -> None:
    data = body(business__employees=1, aid__tax_debt=True)
    assert printed(assess(write(tmp_path, data))) == {
        "eligible": False,
        "reasons": ["HAS_EMPLOYEES", "TAX_DEBT"],
        "turnover_drop": "0.7814",
        "rules_version": "espoo-2020-05-26",
    }


def test_late_application(tmp_path: Path) -> None:
    on_time = printed(assess(write(tmp_path, body("2020-09-30T23:59:59+03:00"), "on_time.json")))
    late = printed(assess(write(tmp_path, body("2020-10-01T00:00:00+03:00"), "late.json")))
    assert on_time["reasons"] == []
    assert late["reasons"] == ["LATE"]


def test_without_submitted_at_the_deadline_is_not_checked(tmp_path: Path) -> None:
    data = application()  # no "submitted_at" key at all
    assert printed(assess(write(tmp_path, data)))["eligible"] is True


def test_no_reference_turnover_prints_null_drop(tmp_path: Path) -> None:
    data = body(turnover__reference_eur="0.00")
    output = printed(assess(write(tmp_path, data)))
    assert output["turnover_drop"] is None
    assert output["reasons"] == ["TURNOVER_DROP"]


def test_registry_overrides_declaration(tmp_path: Path) -> None:
    data = {**body(), "registry": {"home_municipality": "Helsinki", "prior_applications": 1}}
    output = printed(assess(write(tmp_path, data)))
    assert output["eligible"] is False
    assert output["reasons"] == ["WRONG_MUNICIPALITY", "DUPLICATE"]


def test_explain_prints_checks_and_discrepancies(tmp_path: Path) -> None:
    data = {**body(), "registry": {"home_municipality": "Helsinki"}}
    output = printed(assess(write(tmp_path, data), "--explain"))
    checks = {c["code"]: c for c in output["checks"]}
    assert [check["code"] for check in output["checks"]] == list(ReasonCode)  # every rule, in order
    assert checks["WRONG_MUNICIPALITY"]["passed"] is False
    assert checks["WRONG_MUNICIPALITY"]["detail"]["home_municipality"] == "Helsinki"
    assert checks["DUPLICATE"]["passed"] is None  # no prior_applications given
    assert output["discrepancies"] == [
        {"field": "business.home_municipality", "declared": "Espoo", "registry": "Helsinki"}
    ]


def test_without_explain_only_the_summary_is_printed(tmp_path: Path) -> None:
    output = printed(assess(write(tmp_path, body())))
    assert set(output) == {"eligible", "reasons", "turnover_drop", "rules_version"}


# --- bad input: exit 2 and a message on stderr, nothing on stdout -------------------------------------------------


def fails(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    return result.stderr


def test_malformed_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"applicant": {', encoding="utf-8")
    message = fails(assess(path))
    assert "not valid JSON" in message
    assert "broken.json" in message


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"name": "Meikäläinen"}'.encode("latin-1"))
    assert "not valid JSON" in fails(assess(path))


def test_json_that_is_not_an_object(tmp_path: Path) -> None:
    assert "expected a JSON object" in fails(assess(write(tmp_path, [body()])))


def test_bad_personal_id_names_the_field(tmp_path: Path) -> None:
    data = body(applicant__personal_id="131052-308X")
    message = fails(assess(write(tmp_path, data)))
    assert "invalid application" in message
    assert "applicant.personal_id" in message
    assert "not a valid Finnish personal identity code" in message


def test_missing_section_names_it(tmp_path: Path) -> None:
    data = body()
    del data["aid"]
    assert "  aid: Field required" in fails(assess(write(tmp_path, data)))


def test_submitted_at_without_time_zone_is_rejected(tmp_path: Path) -> None:
    data = body("2020-05-02T10:00:00")
    assert "submitted_at" in fails(assess(write(tmp_path, data)))


def test_bad_registry_fact_names_the_registry_field(tmp_path: Path) -> None:
    data = {**body(), "registry": {"employees": "several"}}
    message = fails(assess(write(tmp_path, data)))
    assert "registry.employees" in message


def test_unknown_programme(tmp_path: Path) -> None:
    message = fails(assess(write(tmp_path, body()), "--programme", "no-such-programme"))
    assert "unknown programme 'no-such-programme'" in message
    assert "sole-entrepreneur-2020" in message  # the known ones are listed


def test_missing_file(tmp_path: Path) -> None:
    result = assess(tmp_path / "nowhere.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nowhere.json" in result.stderr
