"""Placeholder blueprint, filled by its own issue."""

from flask import Blueprint

blueprint = Blueprint("store", __name__)
