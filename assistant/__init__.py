"""Trade-policy assistant: answers export-control questions with verifiable citations."""

__version__ = "0.1.0"
