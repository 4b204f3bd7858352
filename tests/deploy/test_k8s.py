"""deploy/k8s: two replicas on PostgreSQL, probes on /healthz and /readyz, locked-down pods."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.config.loader import SECRET_ENV, load_settings
from bot.config.settings import Settings
from tests.deploy.artifacts import DEPLOY, load_yaml_docs

K8S = DEPLOY / "k8s"
MEMORY_UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


@pytest.fixture(scope="module")
def objects() -> dict[str, dict[str, Any]]:
    """kind -> the one object of that kind across the manifests."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in load_yaml_docs(path):
            if doc["kind"] == "Kustomization":
                continue
            assert doc["kind"] not in found, f"two {doc['kind']} objects"
            found[doc["kind"]] = doc
    return found


def _container(objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (container,) = objects["Deployment"]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _port_number(container: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    return int(number)


def _bytes(quantity: str) -> int:
    return int(quantity[:-2]) * MEMORY_UNITS[quantity[-2:]]


def _pod_settings(
    objects: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """Settings as a pod resolves them: the ConfigMap's file plus the container's env."""
    container = _container(objects)
    env = {e["name"]: e["value"] for e in container["env"]}
    config_file = tmp_path / "dealradar.toml"
    config_file.write_text(objects["ConfigMap"]["data"]["dealradar.toml"], encoding="utf-8")
    mount = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}["config"]
    assert env["DEALRADAR_CONFIG"] == f"{mount}/dealradar.toml"
    monkeypatch.chdir(tmp_path)
    return load_settings(str(config_file), env={**env, "DEALRADAR_CONFIG": str(config_file)})


def test_kustomization_lists_every_manifest() -> None:
    (kustomization,) = load_yaml_docs(K8S / "kustomization.yaml")
    others = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == others


def test_all_expected_objects_exist(objects: dict[str, dict[str, Any]]) -> None:
    assert {"Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget"} <= set(objects)


def test_two_replicas_on_postgresql(
    objects: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert objects["Deployment"]["spec"]["replicas"] == 2
    settings = _pod_settings(objects, tmp_path, monkeypatch)
    # several replicas coordinate through the database: a per-pod SQLite file would split state
    assert settings.database_url.startswith("postgresql://")
    assert settings.http.host == "0.0.0.0"


def test_probes_hit_health_endpoints_on_the_configured_port(
    objects: dict[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = _container(objects)
    port = _pod_settings(objects, tmp_path, monkeypatch).http.port
    expected = {
        "livenessProbe": "/healthz",
        "readinessProbe": "/readyz",
        "startupProbe": "/healthz",
    }
    for probe, path in expected.items():
        get = container[probe]["httpGet"]
        assert get["path"] == path, probe
        assert _port_number(container, get["port"]) == port, probe


def test_service_reaches_the_pods_http_port(objects: dict[str, dict[str, Any]]) -> None:
    service, deployment = objects["Service"], objects["Deployment"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert objects["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"].items() <= (
        labels.items()
    )
    (port,) = service["spec"]["ports"]
    assert port["port"] == 8080
    assert _port_number(_container(objects), port["targetPort"]) == 8080


def test_pods_run_non_root_on_a_read_only_root_with_a_tmp_volume(
    objects: dict[str, dict[str, Any]],
) -> None:
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    container = _container(objects)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    context = container["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def test_memory_limit_leaves_room_above_the_300_mib_target(
    objects: dict[str, dict[str, Any]],
) -> None:
    resources = _container(objects)["resources"]
    limit = _bytes(resources["limits"]["memory"])
    request = _bytes(resources["requests"]["memory"])
    assert 300 * 2**20 < limit <= 1024 * 2**20
    assert request <= limit


def test_secret_is_a_template_of_exactly_the_secret_variables(
    objects: dict[str, dict[str, Any]],
) -> None:
    secret = objects["Secret"]
    data = secret["stringData"]
    assert set(data) == set(SECRET_ENV) | {"PGPASSWORD"}
    assert all(value == "" for value in data.values())  # no real values in the repository
    refs = [e["secretRef"]["name"] for e in _container(objects)["envFrom"]]
    assert secret["metadata"]["name"] in refs


def test_configmap_is_mounted_read_only(objects: dict[str, dict[str, Any]]) -> None:
    pod = objects["Deployment"]["spec"]["template"]["spec"]
    (mount,) = [m for m in _container(objects)["volumeMounts"] if m["name"] == "config"]
    assert mount["readOnly"] is True
    (volume,) = [v for v in pod["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_kustomize_renders_the_same_objects(
    objects: dict[str, dict[str, Any]],
) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    kinds = sorted(doc["kind"] for doc in yaml.safe_load_all(rendered) if doc)
    assert kinds == sorted(objects)
