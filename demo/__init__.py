"""The reported demo case and its generated background (see demo/README.md)."""
