"""The parsed Terraform tree (python-hcl2's JSON, from the checkov tool environment) for every
test module here, as tests/iac/test_terraform.py defines it."""

from tests.iac.test_terraform import parsed, tool_env  # noqa: F401  (fixtures)
