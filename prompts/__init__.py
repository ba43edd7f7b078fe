"""The assistant's prompt templates, as files; this module just locates them."""

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
