"""Shipment tracking: the state machine, scans, custody and ETAs."""
