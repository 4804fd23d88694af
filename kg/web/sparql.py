"""Placeholder blueprint, filled by its own issue."""

from flask import Blueprint

blueprint = Blueprint("sparql", __name__)
