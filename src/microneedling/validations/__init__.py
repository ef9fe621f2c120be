"""Comparison modules, one per engine; see :mod:`microneedling.validation`."""
