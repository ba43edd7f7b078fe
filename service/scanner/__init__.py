"""The policy scanner over HTTP and the CLI: scan a policy against the vendor registry."""
