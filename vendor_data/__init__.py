"""The curated catalog shipped with xborder: data files only; this module just locates them."""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
