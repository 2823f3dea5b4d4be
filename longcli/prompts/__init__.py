"""Prompt templates: YAML data shipped with the package, overridable by the user."""
