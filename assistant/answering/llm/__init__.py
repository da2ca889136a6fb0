"""The optional LLM answerer: client (config, model), prompt, check (the reply's [n] markers and
sentences), stream (an answer as it passes the check) and rewrite (follow-ups)."""
