"""Placeholder blueprint, filled by its own issue."""

from flask import Blueprint

blueprint = Blueprint("pages", __name__)
