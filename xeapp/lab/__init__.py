"""Simulated IOS-XE devices speaking SSH CLI and NETCONF on loopback, for demos and tests."""

from xeapp.lab.fleet import Lab, LabDevice, start_lab

__all__ = ["Lab", "LabDevice", "start_lab"]
