"""Where the project lives: a module of its own so that light processes (the PDF renderers) need no settings."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
