"""The Slack bot: listeners in `bot.py`, reached over HTTP or Socket Mode (`transport.py`), with
what it reads (`threads.py`), what it posts (`blocks.py`, `mrkdwn.py`), the Show passage check
(`passages.py`), the request signature (`signature.py`) and the feedback file (`feedback.py`)."""
