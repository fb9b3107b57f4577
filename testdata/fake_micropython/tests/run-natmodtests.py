#!/usr/bin/env python3
"""Fake run-natmodtests.py: see fake_runner.py."""
import fake_runner

fake_runner.main("run-natmodtests.py")
