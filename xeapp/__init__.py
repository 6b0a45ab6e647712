"""xeapp: discover, pre-check and upgrade Cisco IOS-XE devices."""

__version__ = "0.1.0"
