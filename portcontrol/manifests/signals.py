"""Signals other apps listen to, so that manifests never import what comes after them."""

from django.dispatch import Signal

# Sent after manifests were stored, with `unit_ids`: the units whose containers changed.
manifests_stored = Signal()
