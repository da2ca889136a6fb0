"""HTTP surface of the assistant."""
