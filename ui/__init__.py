"""Streamlit-side helpers for the explorer app: cached loaders, state keys, figure builders.

Modules without a Streamlit import (``logic``, ``catalog``, ``paths``, ``text``) hold the
pure parts and are unit-tested on their own.
"""
