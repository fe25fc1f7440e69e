"""The generator as a whole: validity, determinism, drift detection, the commands."""

from __future__ import annotations

import shutil

import pytest
import schemathesis
import yaml
from openapi_spec_validator import validate

from mock_server.cli import main
from mock_server.contracts import API_NAMES, KINDS_TABLE, check_contracts, generate, identify_documents, structural_differences
from tests.conftest import CONTRACTS_DIR


@pytest.mark.parametrize("api", API_NAMES)
def test_committed_contract_is_valid_openapi(committed, api):
    validate(committed[api])


@pytest.mark.parametrize("api", API_NAMES)
def test_committed_contract_loads_in_schemathesis(committed, api):
    schema = schemathesis.openapi.from_dict(committed[api])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(
        1 for item in committed[api]["paths"].values() for method in item if method in ("get", "post", "put", "patch", "delete")
    )


def test_generation_is_deterministic_and_matches_the_committed_contracts(docs_dir):
    first = generate(docs_dir)
    second = generate(docs_dir)
    assert first == second
    assert sorted(first) == sorted([*(f"{api}.yaml" for api in API_NAMES), KINDS_TABLE])
    for file_name, text in first.items():
        assert (CONTRACTS_DIR / file_name).read_text(encoding="utf-8") == text, f"{file_name} is stale"


def test_documents_are_recognised_by_content(docs_dir):
    found = identify_documents(docs_dir)
    assert set(found) == {"casavi", "afosto", "relay", "relay-expanded", "messages"}


def test_check_catches_a_hand_edit(docs_dir, tmp_path):
    edited = tmp_path / "contracts"
    shutil.copytree(CONTRACTS_DIR, edited)
    casavi = edited / "casavi.yaml"
    casavi.write_text(casavi.read_text(encoding="utf-8").replace("operationId: import\n", "operationId: importAll\n"))
    (edited / "messages.yaml").unlink()
    differences = check_contracts(docs_dir, edited)
    assert any("casavi.yaml: 1 difference" in line for line in differences)
    assert any("/paths/~1import/post/operationId: committed 'importAll', generated 'import'" in line for line in differences)
    assert any("messages.yaml: missing" in line for line in differences)
    assert check_contracts(docs_dir, CONTRACTS_DIR) == []


def test_commands_generate_and_check(docs_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["contracts", "generate", "--docs", str(docs_dir), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([*(f"{api}.yaml" for api in API_NAMES), KINDS_TABLE])
    assert main(["contracts", "check", "--docs", str(docs_dir), "--contracts", str(out)]) == 0
    (out / "relay.yaml").write_text((out / "relay.yaml").read_text().replace("CreateOrder\n", "MakeOrder\n", 1))
    assert main(["contracts", "check", "--docs", str(docs_dir), "--contracts", str(out)]) == 1
    assert "relay.yaml" in capsys.readouterr().err


def test_missing_documents_are_named(tmp_path, capsys):
    assert main(["contracts", "generate", "--docs", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "casavi, afosto, relay, messages" in capsys.readouterr().err


def test_structural_differences_name_the_place():
    assert structural_differences({"a": {"b": 1}}, {"a": {"b": 2}}) == ["/a/b: committed 1, generated 2"]
    assert structural_differences({"a": 1}, {}) == ["/a: not generated any more"]
    assert structural_differences({}, {"x/y": 1}) == ["/x~1y: generated but not committed"]


def test_no_vendor_paragraphs_enter_the_contracts(documents, committed):
    # Paragraph-length lines of the documents must not appear in the contracts.
    long_lines = {
        line.strip() for text in documents.values() for line in text.splitlines() if len(line.strip()) > 120
    }
    for api in API_NAMES:
        text = (CONTRACTS_DIR / f"{api}.yaml").read_text(encoding="utf-8")
        dumped = yaml.safe_dump(committed[api], width=10_000)
        for line in long_lines:
            assert line not in text and line not in dumped, f"{api}: copied prose: {line[:60]}..."
