"""Every file import reads through core.uploads: a lab's results file, a flight manifest
and another city's exchange file (CSV, XLSX or JSON) are refused past the policy's
bounds as the person import is, naming the limit."""

import io
import json

import pytest

from epicommand.core.models import Role
from epicommand.inbound.services.exchange import import_exchange
from epicommand.inbound.services.manifests import import_manifest
from epicommand.testing.result_files import record_results_file
from tests.core.test_upload_bounds import zip_bomb

MB = 1024 * 1024


class Upload(io.BytesIO):
    """An upload as Django hands it over: a binary file with a size."""

    @property
    def size(self):
        return len(self.getvalue())


@pytest.fixture
def port_staff(make_user, city):
    return make_user("port", Role.CITY_OFFICE, city.sjz)


def big_csv(header: str) -> Upload:
    return Upload((header + "\n" + "x," * 20 + "\n").encode() * 40_000)


def test_a_lab_results_file_over_the_size_limit_is_refused(data_rules):
    data_rules(upload_max_mb=1)
    outcome = record_results_file(None, None, big_csv("tube,result"), "results.csv")
    assert outcome.error_count == 1 and outcome.errors[0].line == 0
    assert "(policy upload_max_mb)" in outcome.errors[0].message


def test_a_lab_results_zip_bomb_is_refused(tmp_path):
    with open(zip_bomb(tmp_path, expanded_mb=160), "rb") as f:
        outcome = record_results_file(None, None, f, "results.xlsx")
    assert "(policy xlsx_max_expanded_mb)" in outcome.errors[0].message


def test_a_lab_results_file_over_the_rows_limit_is_refused_at_its_line(data_rules):
    data_rules(upload_max_rows=2)
    rows = "tube,result\n" + "T1,negative\n" * 3
    outcome = record_results_file(None, None, Upload(rows.encode()), "results.csv")
    assert outcome.errors[0].line == 4
    assert "(policy upload_max_rows)" in outcome.errors[0].message


@pytest.mark.parametrize("importer", [import_manifest, import_exchange])
def test_manifest_and_exchange_files_over_the_size_limit_are_refused(
    importer,
    port_staff,
    data_rules,
):
    data_rules(upload_max_mb=1)
    result = importer(port_staff, big_csv("name"), "flight.csv")
    assert "(policy upload_max_mb)" in result.errors[0].message
    travellers = json.dumps([{"name": "x" * 100}] * 12_000).encode()
    result = importer(port_staff, Upload(travellers), "flight.json")
    assert "(policy upload_max_mb)" in result.errors[0].message


def test_a_json_manifest_over_the_rows_limit_is_refused(port_staff, data_rules):
    data_rules(upload_max_rows=2)
    travellers = json.dumps([{"name": "x"}] * 3).encode()
    result = import_manifest(port_staff, Upload(travellers), "flight.json")
    assert result.errors[0].line == 3
    assert "(policy upload_max_rows)" in result.errors[0].message
